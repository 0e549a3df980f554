using System.Numerics;
using System.Runtime.InteropServices;
using Bitfuse.Bitmaps;

namespace Bitfuse.Query.Execution;

/// <summary>
/// Exact counts of every pair of a lead row and a last row under one filter, |filter ∩ lead[i] ∩ last[j]|, in one
/// pass over the filter's keys, when no column of the filter is in two lead rows (a mutex field, or disjoint rows).
/// Invariants: per key, every column of filter ∩ lead[i] gets the group number i + 1 in a 64 Ki-entry map and every
/// other column 0; each value of each last row's container of that key then adds one to its row's tally of the
/// value's group (group 0 is a discard slot), so a value costs one map load however many lead rows there are,
/// where counting each narrowed filter against the last rows reads every last row once per lead row. A filter column
/// found in two lead rows makes the pass give up (false) before anything is written to the caller's counts. The
/// map is zeroed after each key that wrote it.
/// </summary>
internal static unsafe class GroupCounting
{
    private const int MapBytes = 65536 * sizeof(ushort);

    /// <summary>
    /// Writes |<paramref name="filter"/> ∩ lead[i] ∩ last[j]| to counts[i × last.Length + j]; false (counts untouched)
    /// when a filter column is in two lead rows or there are too many lead rows for the map.
    /// </summary>
    public static bool TryCount(Bitmap filter, ReadOnlySpan<Bitmap> lead, ReadOnlySpan<Bitmap> last, Span<long> counts)
    {
        if (lead.Length >= ushort.MaxValue)
        {
            return false;
        }
        var groups = lead.Length + 1;
        var tallies = new long[last.Length * groups];
        var leadCursors = new RowCursors(lead, new int[lead.Length]);
        var lastCursors = new RowCursors(last, new int[last.Length]);
        var map = (ushort*)NativeMemory.AlignedAlloc(MapBytes, 64);
        var inFilter = (ulong*)NativeMemory.AlignedAlloc(BitsetContainer.Words * sizeof(ulong), 64);
        try
        {
            NativeMemory.Clear(map, MapBytes);
            var filterKeys = filter.Keys;
            for (var k = 0; k < filterKeys.Length; k++)
            {
                var key = filterKeys[k];
                filter.ContainerAt(k).CopyToBitset(inFilter);
                var marked = false;
                for (var i = 0; i < lead.Length; i++)
                {
                    var at = leadCursors.Find(i, key);
                    if (at < 0)
                    {
                        continue;
                    }
                    marked = true;
                    if (!Mark(lead[i].ContainerAt(at), inFilter, map, (ushort)(i + 1)))
                    {
                        return false;
                    }
                }
                if (!marked)
                {
                    continue;
                }
                for (var j = 0; j < last.Length; j++)
                {
                    var at = lastCursors.Find(j, key);
                    if (at >= 0)
                    {
                        Tally(last[j].ContainerAt(at), inFilter, map, tallies.AsSpan(j * groups, groups));
                    }
                }
                NativeMemory.Clear(map, MapBytes);
            }
        }
        finally
        {
            NativeMemory.AlignedFree(map);
            NativeMemory.AlignedFree(inFilter);
        }
        for (var i = 0; i < lead.Length; i++)
        {
            for (var j = 0; j < last.Length; j++)
            {
                counts[(i * last.Length) + j] = tallies[(j * groups) + i + 1];
            }
        }
        return true;
    }

    // Gives the filter's columns of the container the group number; false when one already has a group.
    private static bool Mark(in Container container, ulong* inFilter, ushort* map, ushort group)
    {
        var clash = 0;
        switch (container.Kind)
        {
            case ContainerKind.Array:
                var values = container.Values;
                for (var n = 0; n < container.Length; n++)
                {
                    int v = values[n];
                    if (((inFilter[v >> 6] >> v) & 1) != 0)
                    {
                        clash |= map[v];
                        map[v] = group;
                    }
                }
                break;
            case ContainerKind.Bitset:
                var words = container.Words;
                for (var w = 0; w < BitsetContainer.Words; w++)
                {
                    for (var bits = words[w] & inFilter[w]; bits != 0; bits &= bits - 1)
                    {
                        var v = (w << 6) | BitOperations.TrailingZeroCount(bits);
                        clash |= map[v];
                        map[v] = group;
                    }
                }
                break;
            default:
                var runs = container.Runs;
                for (var r = 0; r < container.Length; r++)
                {
                    int start = runs[2 * r];
                    var end = start + runs[(2 * r) + 1];
                    for (var v = start; v <= end; v++)
                    {
                        if (((inFilter[v >> 6] >> v) & 1) != 0)
                        {
                            clash |= map[v];
                            map[v] = group;
                        }
                    }
                }
                break;
        }
        return clash == 0;
    }

    // Adds one to tally[group of v] for every value v of the container (group 0: outside filter ∩ every lead row).
    private static void Tally(in Container container, ulong* inFilter, ushort* map, Span<long> tally)
    {
        switch (container.Kind)
        {
            case ContainerKind.Array:
                var values = container.Values;
                for (var n = 0; n < container.Length; n++)
                {
                    tally[map[values[n]]]++;
                }
                break;
            case ContainerKind.Bitset:
                var words = container.Words;
                for (var w = 0; w < BitsetContainer.Words; w++)
                {
                    // Columns outside the filter have group 0: skip them a word at a time.
                    for (var bits = words[w] & inFilter[w]; bits != 0; bits &= bits - 1)
                    {
                        tally[map[(w << 6) | BitOperations.TrailingZeroCount(bits)]]++;
                    }
                }
                break;
            default:
                var runs = container.Runs;
                for (var r = 0; r < container.Length; r++)
                {
                    int start = runs[2 * r];
                    var end = start + runs[(2 * r) + 1];
                    for (var v = start; v <= end; v++)
                    {
                        tally[map[v]]++;
                    }
                }
                break;
        }
    }
}
