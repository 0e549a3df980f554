using System.Collections;
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
        private ValueCursor<DescendingOrder> _cursor;

        internal DescendingEnumerator(Bitmap bitmap) => _cursor = new(bitmap);

        /// <summary>The value at the enumerator's position.</summary>
        public readonly uint Current => _cursor.Current;

        readonly object IEnumerator.Current => _cursor.Current;

        /// <summary>Moves to the next smaller value; false after the smallest.</summary>
        public bool MoveNext() => _cursor.MoveNext();

        /// <summary>Restarts after the largest value.</summary>
        public void Reset() => _cursor = _cursor.Restarted();

        /// <summary>Nothing to release.</summary>
        public readonly void Dispose()
        {
        }
    }
}
