using System.Runtime.CompilerServices;
using Bitfuse.Bitmaps;

namespace Bitfuse.Query.Execution;

/// <summary>
/// One forward-only key cursor per row, for passes that visit keys in ascending order: each row's cursor gallops
/// ahead, so a row costs O(its keys) over the whole pass, not a search per visited key.
/// </summary>
internal ref struct RowCursors
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
}
