using Bitfuse.Bitmaps;

namespace Bitfuse.Query.Execution;

/// <summary>
/// The exact top <c>n</c> rows by |filter ∩ row|, counting only the rows that can still reach the top.
/// Invariants:
/// <list type="bullet">
/// <item>The order of the answer is fixed: count descending, then row index ascending (rows come sorted by name);
/// rows with a zero count are never listed. A row enters the top when its count beats the current n-th entry in that
/// order (<see cref="Beats"/>); the top holds at most n entries.</item>
/// <item>Every bound is an upper bound of the row's count: coarse min(|row|, |filter|); fine Σ over the keys both hold
/// of min(row container cardinality, filter container cardinality); while a row is counted, its count so far plus
/// the fine bound of the blocks not yet counted.</item>
/// <item>Rows are visited in descending coarse bound (index ascending among equals), so the first row whose coarse bound
/// cannot beat the n-th entry ends the walk: no later row can. A row whose fine bound cannot is skipped; a row whose
/// running bound cannot is dropped mid-count. The n-th entry only improves, so a row ruled out stays ruled out.</item>
/// <item>Candidates are counted a chunk at a time, block by block over the filter's keys as in
/// <see cref="RowCounting"/> (the same per-block counting), so the block's filter containers stay in cache.</item>
/// </list>
/// </summary>
internal static class TopRowCounting
{
    private const int MinChunk = 8;
    private const int MaxChunk = 64;

    /// <summary>The top <paramref name="n"/> rows (index, count) under <paramref name="filter"/> (null: whole rows), in the order above.</summary>
    public static List<(int Row, long Count)> Top(Bitmap? filter, ReadOnlySpan<Bitmap> rows, int n)
    {
        var top = new List<(int Row, long Count)>(Math.Min(n, rows.Length) + 1);
        if (n <= 0 || rows.Length == 0)
        {
            return top;
        }
        var filterCount = filter?.Count ?? long.MaxValue;
        var coarse = new long[rows.Length];
        for (var r = 0; r < rows.Length; r++)
        {
            coarse[r] = Math.Min(rows[r].Count, filterCount);
        }
        var order = Order(coarse);
        if (filter is null)
        {
            // Whole rows: the coarse bound is the count.
            foreach (var r in order)
            {
                if (!Beats(top, n, coarse[r], r))
                {
                    break;
                }
                Enter(top, n, r, coarse[r]);
            }
            return top;
        }
        var filterKeys = filter.Keys;
        var filterContainers = filter.Containers;
        var blocks = (filterKeys.Length + RowCounting.BlockKeys - 1) / RowCounting.BlockKeys;
        var chunkSize = Math.Clamp(n, MinChunk, MaxChunk);
        var chunk = new Candidate[chunkSize];
        for (var c = 0; c < chunk.Length; c++)
        {
            chunk[c] = new Candidate(blocks);
        }
        var pending = 0;
        foreach (var r in order)
        {
            if (!Beats(top, n, coarse[r], r))
            {
                break;
            }
            var candidate = chunk[pending];
            if (!Beats(top, n, candidate.Bound(filterKeys, filterContainers, rows[r], r), r))
            {
                continue;
            }
            if (++pending == chunk.Length)
            {
                CountChunk(filterKeys, filterContainers, rows, chunk.AsSpan(0, pending), top, n);
                pending = 0;
            }
        }
        CountChunk(filterKeys, filterContainers, rows, chunk.AsSpan(0, pending), top, n);
        return top;
    }

    // Row indexes by descending bound, ascending index among equals. A bound is at most 2^32 (33 bits) and an index
    // below 2^30, so one ascending sort of (2^33 - 1 - bound) << 30 | index, a primitive sort, gives the order.
    private static int[] Order(long[] bounds)
    {
        var order = new int[bounds.Length];
        if (bounds.Length >= 1 << 30)
        {
            for (var r = 0; r < order.Length; r++)
            {
                order[r] = r;
            }
            Array.Sort(order, (x, y) => bounds[x] != bounds[y] ? bounds[y].CompareTo(bounds[x]) : x.CompareTo(y));
            return order;
        }
        const long Largest = (1L << 33) - 1;
        var keys = new long[bounds.Length];
        for (var r = 0; r < keys.Length; r++)
        {
            keys[r] = ((Largest - Math.Min(bounds[r], Largest)) << 30) | (long)r;
        }
        Array.Sort(keys);
        for (var r = 0; r < order.Length; r++)
        {
            order[r] = (int)(keys[r] & ((1 << 30) - 1));
        }
        return order;
    }

    // True when a row with this count (or bound) and index would enter the top as it stands.
    private static bool Beats(List<(int Row, long Count)> top, int n, long count, int row)
    {
        if (count <= 0)
        {
            return false;
        }
        if (top.Count < n)
        {
            return true;
        }
        var (lastRow, lastCount) = top[n - 1];
        return count > lastCount || (count == lastCount && row < lastRow);
    }

    private static void Enter(List<(int Row, long Count)> top, int n, int row, long count)
    {
        var at = top.Count;
        while (at > 0 && (top[at - 1].Count < count || (top[at - 1].Count == count && top[at - 1].Row > row)))
        {
            at--;
        }
        top.Insert(at, (row, count));
        if (top.Count > n)
        {
            top.RemoveAt(n);
        }
    }

    // Counts the chunk's rows block by block, dropping a row once its running bound cannot beat the n-th entry.
    private static void CountChunk(ReadOnlySpan<ushort> filterKeys, ReadOnlySpan<Container> filterContainers, ReadOnlySpan<Bitmap> rows,
        Span<Candidate> chunk, List<(int Row, long Count)> top, int n)
    {
        var live = chunk.Length;
        for (var b = 0; live > 0 && b * RowCounting.BlockKeys < filterKeys.Length; b++)
        {
            var first = b * RowCounting.BlockKeys;
            var end = Math.Min(first + RowCounting.BlockKeys, filterKeys.Length);
            foreach (var candidate in chunk)
            {
                if (candidate.Dropped)
                {
                    continue;
                }
                candidate.Count += RowCounting.CountBlock(filterKeys, filterContainers, first, end, rows[candidate.Row], ref candidate.At);
                if (!Beats(top, n, candidate.Count + candidate.Remaining[b + 1], candidate.Row))
                {
                    candidate.Dropped = true;
                    live--;
                }
            }
        }
        foreach (var candidate in chunk)
        {
            if (!candidate.Dropped && Beats(top, n, candidate.Count, candidate.Row))
            {
                Enter(top, n, candidate.Row, candidate.Count);
            }
        }
    }

    /// <summary>A row being counted: its cursor, count so far and the fine bound of the blocks from each block on.</summary>
    private sealed class Candidate(int blocks)
    {
        public int Row;
        public int At;
        public long Count;
        public bool Dropped;

        /// <summary>Remaining[b]: Σ of min(row, filter) container cardinalities over blocks b.. (Remaining[blocks] = 0).</summary>
        public readonly long[] Remaining = new long[blocks + 1];

        /// <summary>Resets the candidate to <paramref name="index"/> and returns its fine bound.</summary>
        public long Bound(ReadOnlySpan<ushort> filterKeys, ReadOnlySpan<Container> filterContainers, Bitmap row, int index)
        {
            Row = index;
            At = 0;
            Count = 0;
            Dropped = false;
            Array.Clear(Remaining);
            var bound = new FineBound(Remaining, filterContainers, row);
            var at = 0;
            var k = 0;
            KeySearch.Walk(row.Keys, ref at, filterKeys, ref k, ref bound);
            for (var b = Remaining.Length - 2; b >= 0; b--)
            {
                Remaining[b] += Remaining[b + 1];
            }
            return Remaining[0];
        }
    }

    // Adds min(|row|, |filter|) of each shared key's containers to its block's bound.
    private readonly ref struct FineBound(long[] remaining, ReadOnlySpan<Container> filterContainers, Bitmap row) : IKeyWalkVisitor
    {
        private readonly long[] _remaining = remaining;
        private readonly ReadOnlySpan<Container> _filterContainers = filterContainers;
        private readonly Bitmap _row = row;

        public bool Shared(int rowAt, int filterAt)
        {
            _remaining[filterAt / RowCounting.BlockKeys] += Math.Min(_row.ContainerAt(rowAt).Cardinality, _filterContainers[filterAt].Cardinality);
            return true;
        }

        public readonly bool FirstOnly(int from, int to) => true;

        public readonly bool SecondOnly(int from, int to) => true;
    }
}
