using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;
using Bitfuse.Bitmaps;

namespace Bitfuse.Query.Execution;

/// <summary>
/// Exact counts of many rows under one filter: |filter ∩ row| for every row, in one pass over the filter's keys.
/// Invariants: the filter's keys are taken a block of <see cref="BlockKeys"/> at a time, ascending; within a block every
/// row walks its own containers of the block's keys in order and AND-counts each against the filter's container of
/// that key, so the block's filter containers (at most 128 KiB) stay in cache while all rows pass, a row's container
/// descriptors are read in order, and the next container's payload is prefetched while one is counted; each row's
/// cursor only moves forward (galloping), so a row costs O(its keys) over the whole pass.
/// </summary>
internal static unsafe class RowCounting
{
    /// <summary>Filter keys per block: sixteen 8 KiB containers at most (128 KiB), inside a core's L2.</summary>
    public const int BlockKeys = 16;

    /// <summary>Adds |<paramref name="filter"/> ∩ rows[r]| to counts[r] for every row; a null filter counts whole rows.</summary>
    public static void Count(Bitmap? filter, ReadOnlySpan<Bitmap> rows, Span<long> counts)
    {
        if (filter is null)
        {
            for (var r = 0; r < rows.Length; r++)
            {
                counts[r] += rows[r].Count;
            }
            return;
        }
        var cursors = rows.Length <= 256 ? stackalloc int[rows.Length] : new int[rows.Length];
        cursors.Clear();
        var filterKeys = filter.Keys;
        var filterContainers = filter.Containers;
        for (var first = 0; first < filterKeys.Length; first += BlockKeys)
        {
            var end = Math.Min(first + BlockKeys, filterKeys.Length);
            for (var r = 0; r < rows.Length; r++)
            {
                counts[r] += CountBlock(filterKeys, filterContainers, first, end, rows[r], ref cursors[r]);
            }
        }
    }

    /// <summary>
    /// |filter ∩ row| over the filter's keys [<paramref name="first"/>, <paramref name="end"/>); <paramref name="at"/> is the
    /// row's cursor (a container index), moved past the keys counted. Blocks must be taken in ascending order.
    /// </summary>
    public static long CountBlock(ReadOnlySpan<ushort> filterKeys, ReadOnlySpan<Container> filterContainers, int first, int end, Bitmap row, ref int at)
    {
        var k = first;
        var block = new BlockCount(filterContainers, row);
        KeySearch.Walk(row.Keys, ref at, filterKeys[..end], ref k, ref block);
        return block.Count;
    }

    // |filter ∩ row| at each shared key, prefetching the row's next container while one is counted.
    private ref struct BlockCount(ReadOnlySpan<Container> filterContainers, Bitmap row) : IKeyWalkVisitor
    {
        private readonly ReadOnlySpan<Container> _filterContainers = filterContainers;
        private readonly Bitmap _row = row;

        public long Count;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public bool Shared(int rowAt, int filterAt)
        {
            if (Sse.IsSupported && rowAt + 1 < _row.ContainerCount)
            {
                Sse.Prefetch0(_row.ContainerAt(rowAt + 1).Data);
            }
            Count += ContainerAlgebra.AndCount(_filterContainers[filterAt], _row.ContainerAt(rowAt));
            return true;
        }

        public readonly bool FirstOnly(int from, int to) => true;

        public readonly bool SecondOnly(int from, int to) => true;
    }
}
