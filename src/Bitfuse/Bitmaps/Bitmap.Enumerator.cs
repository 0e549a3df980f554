using System.Collections;
using System.Numerics;
using Bitfuse.Bitmaps;

namespace Bitfuse;

public sealed unsafe partial class Bitmap
{
    /// <summary>A reader that returns the values in ascending order, a batch at a time.</summary>
    public BitmapReader GetReader() => GetReader(0, 1L << 32);

    /// <summary>A reader that returns the values in <c>[start, end)</c> in ascending order, a batch at a time.</summary>
    public BitmapReader GetReader(long start, long end)
    {
        ThrowIfDisposed();
        CheckRange(start, end);
        return new BitmapReader(this, _version, start, end);
    }

    /// <summary>
    /// Calls <paramref name="action"/> with consecutive batches of the values in <c>[start, end)</c>, ascending
    /// (one call per batch of up to 256 values, not one per value). The span is valid only during the call.
    /// </summary>
    public void ForEach(Action<ReadOnlySpan<uint>> action, long start = 0, long end = 1L << 32)
    {
        ArgumentNullException.ThrowIfNull(action);
        var reader = GetReader(start, end);
        Span<uint> batch = stackalloc uint[256];
        int n;
        while ((n = reader.Read(batch)) > 0)
        {
            action(batch[..n]);
        }
    }

    /// <summary>Throws when the bitmap was disposed or changed after a reader took <paramref name="version"/>.</summary>
    internal void CheckReader(int version)
    {
        if (_version != version)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            throw new InvalidOperationException("The bitmap changed after this reader was created.");
        }
    }

    /// <summary>
    /// Enumerates a bitmap's values in ascending order without allocating. Changing or disposing the bitmap
    /// while an enumerator is in use makes the enumerator's next step throw (a version stamp is checked on
    /// every step), so it never reads a freed payload.
    /// </summary>
    public struct Enumerator : IEnumerator<uint>
    {
        private readonly Bitmap _bitmap;
        private readonly int _version;
        private int _index;
        private uint _high;
        private Container _container;
        private int _position;
        private ulong _word;
        private long _runNext;
        private long _runEnd;
        private uint _current;

        internal Enumerator(Bitmap bitmap)
        {
            _bitmap = bitmap;
            _version = bitmap._version;
            _index = -1;
            _container = default;
            _high = 0;
            _position = 0;
            _word = 0;
            _runNext = 0;
            _runEnd = -1;
            _current = 0;
        }

        /// <summary>The value at the enumerator's position.</summary>
        public readonly uint Current => _current;

        readonly object IEnumerator.Current => _current;

        /// <summary>Advances to the next value; false after the last.</summary>
        public bool MoveNext()
        {
            if (_bitmap is { } bitmap && bitmap._version != _version)
            {
                ThrowChanged(bitmap);
            }
            while (true)
            {
                switch (_container.Kind)
                {
                    case ContainerKind.Array:
                        if (_position < _container.Length)
                        {
                            _current = _high | _container.Values[_position++];
                            return true;
                        }
                        break;
                    case ContainerKind.Bitset:
                        while (_word == 0)
                        {
                            if (++_position >= BitsetContainer.Words)
                            {
                                goto nextContainer;
                            }
                            _word = _container.Words[_position];
                        }
                        _current = _high | (uint)(_position << 6) | (uint)BitOperations.TrailingZeroCount(_word);
                        _word &= _word - 1;
                        return true;
                    case ContainerKind.Run:
                        if (_runNext <= _runEnd)
                        {
                            _current = (uint)_runNext++;
                            return true;
                        }
                        if (++_position < _container.Length)
                        {
                            _runNext = _high | _container.Runs[2 * _position];
                            _runEnd = _runNext + _container.Runs[2 * _position + 1];
                            _current = (uint)_runNext++;
                            return true;
                        }
                        break;
                    default:
                        break;
                }
            nextContainer:
                if (++_index >= _bitmap._size)
                {
                    _container = default;
                    _index = _bitmap._size;
                    return false;
                }
                _container = _bitmap._containers[_index];
                _high = (uint)_bitmap._keys[_index] << 16;
                _position = 0;
                switch (_container.Kind)
                {
                    case ContainerKind.Bitset:
                        _word = _container.Words[0];
                        break;
                    case ContainerKind.Run:
                        _runNext = _high | _container.Runs[0];
                        _runEnd = _runNext + _container.Runs[1];
                        break;
                    default:
                        break;
                }
            }
        }

        private static void ThrowChanged(Bitmap bitmap)
        {
            ObjectDisposedException.ThrowIf(bitmap._disposed, bitmap);
            throw new InvalidOperationException("The bitmap changed after this enumeration started.");
        }

        /// <summary>Restarts before the first value.</summary>
        public void Reset() => this = new Enumerator(_bitmap);

        /// <summary>Nothing to release.</summary>
        public readonly void Dispose()
        {
        }
    }
}
