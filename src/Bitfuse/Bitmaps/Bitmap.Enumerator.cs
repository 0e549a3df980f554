using System.Collections;
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
        private ValueCursor<AscendingOrder> _cursor;

        internal Enumerator(Bitmap bitmap) => _cursor = new(bitmap);

        /// <summary>The value at the enumerator's position.</summary>
        public readonly uint Current => _cursor.Current;

        readonly object IEnumerator.Current => _cursor.Current;

        /// <summary>Advances to the next value; false after the last.</summary>
        public bool MoveNext() => _cursor.MoveNext();

        /// <summary>Restarts before the first value.</summary>
        public void Reset() => _cursor = _cursor.Restarted();

        /// <summary>Nothing to release.</summary>
        public readonly void Dispose()
        {
        }
    }
}
