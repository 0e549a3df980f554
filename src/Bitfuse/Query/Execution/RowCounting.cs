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
        var keys = row.Keys;
        var k = first;
        long count = 0;
        while (at < keys.Length && k < end)
        {
            var rowKey = keys[at];
            var filterKey = filterKeys[k];
            if (rowKey < filterKey)
            {
                at = KeySearch.Advance(keys, at, filterKey);
                continue;
            }
            if (rowKey > filterKey)
            {
                k++;
                continue;
            }
            if (Sse.IsSupported && at + 1 < keys.Length)
            {
                Sse.Prefetch0(row.ContainerAt(at + 1).Data);
            }
            count += ContainerAlgebra.AndCount(filterContainers[k], row.ContainerAt(at));
            at++;
            k++;
        }
        return count;
    }
}
