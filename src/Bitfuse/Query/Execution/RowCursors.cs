using System.Runtime.CompilerServices;
using Bitfuse.Bitmaps;

namespace Bitfuse.Query.Execution;

/// <summary>
/// One forward-only key cursor per row, for passes that visit keys in ascending order: each row's cursor gallops
/// ahead, so a row costs O(its keys) over the whole pass, not a search per visited key.
/// </summary>
internal readonly ref struct RowCursors
{
    private readonly ReadOnlySpan<Bitmap> _rows;
    private readonly Span<int> _at;

    /// <summary>Cursors over <paramref name="rows"/>, at their first key; <paramref name="scratch"/> holds one int per row.</summary>
    public RowCursors(ReadOnlySpan<Bitmap> rows, Span<int> scratch)
    {
        _rows = rows;
        _at = scratch[..rows.Length];
        _at.Clear();
    }

    /// <summary>The index of row <paramref name="r"/>'s container of <paramref name="key"/>, or -1; keys must not go down between calls.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Find(int r, ushort key)
    {
        var keys = _rows[r].Keys;
        var at = _at[r];
        if (at >= keys.Length)
        {
            return -1;
        }
        if (keys[at] < key)
        {
            at = KeySearch.Advance(keys, at, key);
            _at[r] = at;
            if (at >= keys.Length)
            {
                return -1;
            }
        }
        return keys[at] == key ? at : -1;
    }

    /// <summary>
    /// The rows that hold <paramref name="key"/>, ascending, each with the index of its container of the key, for
    /// <c>foreach</c> (<see cref="Find"/> for every row, skipping the rows without it). Walking the same key again
    /// moves no cursor.
    /// </summary>
    public RowsHolding Holding(ushort key) => new(this, key);

    /// <summary>The enumerator of <see cref="Holding"/>.</summary>
    public ref struct RowsHolding(RowCursors cursors, ushort key)
    {
        private readonly RowCursors _cursors = cursors;
        private readonly ushort _key = key;
        private int _row = -1;

        /// <summary>The row and the index of its container of the key.</summary>
        public (int Row, int At) Current { get; private set; }

        public readonly RowsHolding GetEnumerator() => this;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public bool MoveNext()
        {
            while (++_row < _cursors._rows.Length)
            {
                var at = _cursors.Find(_row, _key);
                if (at >= 0)
                {
                    Current = (_row, at);
                    return true;
                }
            }
            return false;
        }
    }
}
