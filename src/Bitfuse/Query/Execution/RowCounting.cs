using Bitfuse.Bitmaps;

namespace Bitfuse.Query.Execution;

/// <summary>
/// Exact counts of many rows under one filter: |filter ∩ row| for every row, in one pass over the filter's keys.
/// Invariants: the filter's keys are visited once, ascending; for each key the filter's container is AND-counted
/// against the container of that key of every row before the next key is read, so it is loaded once and stays in
/// cache while the rows stream past; each row's key cursor only moves forward (galloping), so a row costs
/// O(its keys) over the whole pass, not a search per filter key.
/// </summary>
internal static class RowCounting
{
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
        var cursors = new RowCursors(rows, rows.Length <= 256 ? stackalloc int[rows.Length] : new int[rows.Length]);
        var filterKeys = filter.Keys;
        var filterContainers = filter.Containers;
        for (var k = 0; k < filterKeys.Length; k++)
        {
            var key = filterKeys[k];
            ref readonly var container = ref filterContainers[k];
            for (var r = 0; r < rows.Length; r++)
            {
                var at = cursors.Find(r, key);
                if (at >= 0)
                {
                    counts[r] += ContainerAlgebra.AndCount(container, rows[r].ContainerAt(at));
                }
            }
        }
    }
}
