using System.Numerics;
using System.Runtime.CompilerServices;
using Bitfuse.Bitmaps;

namespace Bitfuse;

public sealed unsafe partial class Bitmap
{
    /// <summary>Which way a <see cref="ValueCursor{TOrder}"/> walks (a struct type argument: the JIT folds the branches on it).</summary>
    private interface IValueOrder
    {
        static abstract bool Ascending { get; }
    }

    private readonly struct AscendingOrder : IValueOrder
    {
        public static bool Ascending => true;
    }

    private readonly struct DescendingOrder : IValueOrder
    {
        public static bool Ascending => false;
    }

    /// <summary>
    /// The walk of <see cref="Enumerator"/> (ascending) and <see cref="DescendingEnumerator"/>: container by container
    /// in each kind's own layout, checking the bitmap's version stamp on every step, so that after a change or a
    /// dispose the next step throws instead of reading freed payloads. <c>_position</c> is the array index, bitset
    /// word or run of the current container; a run is walked from <c>_runNext</c> to <c>_runLast</c> inclusive.
    /// </summary>
    private struct ValueCursor<TOrder>
        where TOrder : struct, IValueOrder
    {
        private readonly Bitmap _bitmap;
        private readonly int _version;
        private int _index;
        private uint _high;
        private Container _container;
        private int _position;
        private ulong _word;
        private long _runNext;
        private long _runLast;

        /// <summary>The value at the cursor.</summary>
        public uint Current;

        public ValueCursor(Bitmap bitmap)
        {
            _bitmap = bitmap;
            _version = bitmap._version;
            _index = TOrder.Ascending ? -1 : bitmap._size;
            _container = default;
            _high = 0;
            _position = 0;
            _word = 0;
            _runNext = 0;
            _runLast = 0;
            Current = 0;
        }

        /// <summary>Restarts before the first value.</summary>
        public readonly ValueCursor<TOrder> Restarted() => _bitmap is null ? default : new(_bitmap);

        /// <summary>Moves to the next value in the order; false past the last.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public bool MoveNext()
        {
            if (_bitmap is not { } bitmap)
            {
                return false;
            }
            if (bitmap._version != _version)
            {
                ThrowChanged(bitmap);
            }
            while (true)
            {
                switch (_container.Kind)
                {
                    case ContainerKind.Array:
                        if (TOrder.Ascending ? _position < _container.Length : _position > 0)
                        {
                            Current = _high | _container.Values[TOrder.Ascending ? _position++ : --_position];
                            return true;
                        }
                        break;
                    case ContainerKind.Bitset:
                        while (_word == 0)
                        {
                            if (TOrder.Ascending ? ++_position >= BitsetContainer.Words : --_position < 0)
                            {
                                goto nextContainer;
                            }
                            _word = _container.Words[_position];
                        }
                        var bit = TOrder.Ascending ? BitOperations.TrailingZeroCount(_word) : 63 - BitOperations.LeadingZeroCount(_word);
                        Current = _high | (uint)(_position << 6) | (uint)bit;
                        _word &= TOrder.Ascending ? _word - 1 : ~(1UL << bit);
                        return true;
                    case ContainerKind.Run:
                        if (TOrder.Ascending ? _runNext <= _runLast : _runNext >= _runLast)
                        {
                            Current = (uint)(TOrder.Ascending ? _runNext++ : _runNext--);
                            return true;
                        }
                        if (TOrder.Ascending ? ++_position < _container.Length : --_position >= 0)
                        {
                            LoadRun();
                            Current = (uint)(TOrder.Ascending ? _runNext++ : _runNext--);
                            return true;
                        }
                        break;
                    default:
                        break;
                }
            nextContainer:
                if (TOrder.Ascending ? ++_index >= bitmap._size : --_index < 0)
                {
                    _container = default;
                    _index = TOrder.Ascending ? bitmap._size : -1;
                    return false;
                }
                _container = bitmap._containers[_index];
                _high = (uint)bitmap._keys[_index] << 16;
                switch (_container.Kind)
                {
                    case ContainerKind.Array:
                        _position = TOrder.Ascending ? 0 : _container.Length;
                        break;
                    case ContainerKind.Bitset:
                        _position = TOrder.Ascending ? 0 : BitsetContainer.Words - 1;
                        _word = _container.Words[_position];
                        break;
                    default:
                        _position = TOrder.Ascending ? 0 : _container.Length - 1;
                        LoadRun();
                        break;
                }
            }
        }

        /// <summary>Loads run <c>_position</c> of the container as the walk from its first value to its last in the order.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private void LoadRun()
        {
            long start = _high | _container.Runs[2 * _position];
            var end = start + _container.Runs[2 * _position + 1];
            _runNext = TOrder.Ascending ? start : end;
            _runLast = TOrder.Ascending ? end : start;
        }

        [MethodImpl(MethodImplOptions.NoInlining)]
        private static void ThrowChanged(Bitmap bitmap)
        {
            ObjectDisposedException.ThrowIf(bitmap._disposed, bitmap);
            throw new InvalidOperationException("The bitmap changed after this enumeration started.");
        }
    }
}
