using System.Collections;
using System.Numerics;
using Bitfuse.Bitmaps;

namespace Bitfuse;

public sealed unsafe partial class Bitmap
{
    /// <summary>The values in descending order, for <c>foreach</c>, without allocating.</summary>
    public DescendingValues Descending()
    {
        ThrowIfDisposed();
        return new(this);
    }

    /// <summary>A bitmap's values in descending order (see <see cref="Descending"/>).</summary>
    public readonly struct DescendingValues : IEnumerable<uint>
    {
        private readonly Bitmap _bitmap;

        internal DescendingValues(Bitmap bitmap) => _bitmap = bitmap;

        /// <summary>An allocation-free enumerator from the largest value down.</summary>
        public DescendingEnumerator GetEnumerator()
        {
            _bitmap.ThrowIfDisposed();
            return new(_bitmap);
        }

        IEnumerator<uint> IEnumerable<uint>.GetEnumerator() => GetEnumerator();

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }

    /// <summary>
    /// Enumerates a bitmap's values from the largest down, container by container in each kind's own layout.
    /// Like <see cref="Enumerator"/>, it checks the bitmap's version stamp on every step: after a change or a
    /// dispose the next step throws instead of reading freed payloads.
    /// </summary>
    public struct DescendingEnumerator : IEnumerator<uint>
    {
        private readonly Bitmap _bitmap;
        private readonly int _version;
        private int _index;
        private uint _high;
        private Container _container;
        private int _position;
        private ulong _word;
        private long _runNext;
        private long _runStart;
        private uint _current;

        internal DescendingEnumerator(Bitmap bitmap)
        {
            _bitmap = bitmap;
            _version = bitmap._version;
            _index = bitmap._size;
            _container = default;
            _high = 0;
            _position = 0;
            _word = 0;
            _runNext = -1;
            _runStart = 0;
            _current = 0;
        }

        /// <summary>The value at the enumerator's position.</summary>
        public readonly uint Current => _current;

        readonly object IEnumerator.Current => _current;

        /// <summary>Moves to the next smaller value; false after the smallest.</summary>
        public bool MoveNext()
        {
            if (_bitmap is { } bitmap && bitmap._version != _version)
            {
                bitmap.CheckReader(_version);
            }
            while (true)
            {
                switch (_container.Kind)
                {
                    case ContainerKind.Array:
                        if (_position > 0)
                        {
                            _current = _high | _container.Values[--_position];
                            return true;
                        }
                        break;
                    case ContainerKind.Bitset:
                        while (_word == 0)
                        {
                            if (--_position < 0)
                            {
                                goto previousContainer;
                            }
                            _word = _container.Words[_position];
                        }
                        var bit = 63 - BitOperations.LeadingZeroCount(_word);
                        _current = _high | (uint)(_position << 6) | (uint)bit;
                        _word &= ~(1UL << bit);
                        return true;
                    case ContainerKind.Run:
                        if (_runNext >= _runStart)
                        {
                            _current = (uint)_runNext--;
                            return true;
                        }
                        if (--_position >= 0)
                        {
                            _runStart = _high | _container.Runs[2 * _position];
                            _runNext = _runStart + _container.Runs[2 * _position + 1];
                            _current = (uint)_runNext--;
                            return true;
                        }
                        break;
                    default:
                        break;
                }
            previousContainer:
                if (_bitmap is null || --_index < 0)
                {
                    _container = default;
                    _index = -1;
                    return false;
                }
                _container = _bitmap._containers[_index];
                _high = (uint)_bitmap._keys[_index] << 16;
                switch (_container.Kind)
                {
                    case ContainerKind.Array:
                        _position = _container.Length;
                        break;
                    case ContainerKind.Bitset:
                        _position = BitsetContainer.Words - 1;
                        _word = _container.Words[_position];
                        break;
                    default:
                        _position = _container.Length;
                        _runNext = -1;
                        _runStart = 0;
                        break;
                }
            }
        }

        /// <summary>Restarts after the largest value.</summary>
        public void Reset() => this = new DescendingEnumerator(_bitmap);

        /// <summary>Nothing to release.</summary>
        public readonly void Dispose()
        {
        }
    }
}
