using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;
using Bitfuse.Bitmaps;

namespace Bitfuse.Query.Execution;

/// <summary>
/// Exact counts of every pair of a lead row and a last row under one filter, |filter ∩ lead[i] ∩ last[j]|, in one
/// pass over the filter's keys.
/// Invariants: per key, the filter is narrowed by each lead row into a bitset (kept per lead row when there are at
/// most <see cref="MaxKeptBitsets"/>); then the key takes one of two modes.
/// <list type="bullet">
/// <item>Probe (kept bitsets, and cheaper by <see cref="Probes"/>): each last row's container is AND-counted against
/// every non-empty narrowed filter (popcounts for a bitset, gathered probes for an array, word masks for runs). Exact
/// whether or not lead rows overlap.</item>
/// <item>Map: every column of filter ∩ lead[i] gets the group number i + 1 in a 64 Ki-entry map and every other column
/// 0; each value of a last row's array or run container then adds one to its row's tally of the value's group (group
/// 0 is a discard slot), so a value costs one map load however many lead rows there are; a last row's bitset container
/// is still AND-counted against each kept narrowed filter. Tallies are kept in four interleaved slots per group when
/// they fit, so runs of values in one group do not wait on one another's increment. A filter column found in two lead
/// rows makes the pass give up (false) before anything is written to the caller's counts. The map is zeroed after
/// each key that marked it.</item>
/// </list>
/// </summary>
internal static unsafe class GroupCounting
{
    private const int MapBytes = 65536 * sizeof(ushort);
    private const int BitsetBytes = BitsetContainer.Words * sizeof(ulong);

    // Up to this many lead rows, the key's narrowed filters are kept as bitsets (64 × 8 KiB).
    private const int MaxKeptBitsets = 64;

    // Building the group bytes costs about 1 µs per lead row; each array value then saves about 0.3 ns per lead row.
    private const int ByteGroupsMinValues = 4096;

    /// <summary>
    /// Writes |<paramref name="filter"/> ∩ lead[i] ∩ last[j]| to counts[i × last.Length + j]; false (counts untouched)
    /// when a filter column is in two lead rows or there are too many lead rows for the map.
    /// </summary>
    /// <remarks><paramref name="probe"/> null: each key takes the cheaper mode; true or false: every key probes, or takes
    /// the map (tests reach both modes this way); probing needs the kept bitsets, so past 64 lead rows the map runs anyway.</remarks>
    public static bool TryCount(Bitmap filter, ReadOnlySpan<Bitmap> lead, ReadOnlySpan<Bitmap> last, Span<long> counts, bool? probe = null)
    {
        if (lead.Length >= ushort.MaxValue)
        {
            return false;
        }
        var groups = lead.Length + 1;
        var ways = (long)last.Length * groups <= 1 << 18 ? 4 : 1;
        var tallies = new long[last.Length * groups * ways];
        var present = new bool[lead.Length];
        var keep = lead.Length <= MaxKeptBitsets;
        var leadCursors = new RowCursors(lead, new int[lead.Length]);
        var lastCursors = new RowCursors(last, new int[last.Length]);
        var map = (ushort*)NativeMemory.AlignedAlloc(MapBytes, 64);
        var inFilter = (ulong*)NativeMemory.AlignedAlloc(BitsetBytes, 64);
        var narrowed = (ulong*)NativeMemory.AlignedAlloc((nuint)(BitsetBytes * (keep ? lead.Length : 1)), 64);
        var groupBytes = (byte*)NativeMemory.AlignedAlloc(LeadGroupBytes.Bytes, 64);
        var presentList = new int[lead.Length];
        try
        {
            NativeMemory.Clear(map, MapBytes);
            var filterKeys = filter.Keys;
            for (var k = 0; k < filterKeys.Length; k++)
            {
                var key = filterKeys[k];
                filter.ContainerAt(k).CopyToBitset(inFilter);
                // Narrow the filter by every lead row of the key; marking waits until the key's mode is known.
                long narrowedTotal = 0;
                var leads = 0;
                Array.Clear(present);
                foreach (var (i, at) in leadCursors.Holding(key))
                {
                    var bits = narrowed + (keep ? i * BitsetContainer.Words : 0);
                    lead[i].ContainerAt(at).CopyToBitset(bits);
                    var n = BitsetContainer.And(bits, inFilter, bits);
                    if (n == 0)
                    {
                        continue;
                    }
                    present[i] = true;
                    narrowedTotal += n;
                    leads++;
                    if (!keep && !Mark(bits, map, (ushort)(i + 1)))
                    {
                        return false;
                    }
                }
                if (leads == 0)
                {
                    continue;
                }
                long sparseValues = 0;
                long arrayValues = 0;
                foreach (var (j, at) in lastCursors.Holding(key))
                {
                    ref readonly var container = ref last[j].ContainerAt(at);
                    if (container.Kind != ContainerKind.Bitset)
                    {
                        sparseValues += container.Cardinality;
                        arrayValues += container.Kind == ContainerKind.Array ? container.Cardinality : 0;
                    }
                }
                var probing = keep && (probe ?? Probes(leads, sparseValues, narrowedTotal));
                // Probing with many array values: one gather of group bytes per eight values instead of one per lead row.
                var byBytes = false;
                if (probing && leads > 1 && arrayValues >= ByteGroupsMinValues && Avx2.IsSupported)
                {
                    var listed = 0;
                    for (var i = 0; i < lead.Length; i++)
                    {
                        if (present[i])
                        {
                            presentList[listed++] = i;
                        }
                    }
                    byBytes = LeadGroupBytes.TryBuild(groupBytes, narrowed, presentList.AsSpan(0, listed));
                }
                if (keep && !probing)
                {
                    for (var i = 0; i < lead.Length; i++)
                    {
                        if (present[i] && !Mark(narrowed + (i * BitsetContainer.Words), map, (ushort)(i + 1)))
                        {
                            return false;
                        }
                    }
                }
                foreach (var (j, at) in lastCursors.Holding(key))
                {
                    var tally = tallies.AsSpan(j * groups * ways, groups * ways);
                    ref readonly var container = ref last[j].ContainerAt(at);
                    if (byBytes && container.Kind == ContainerKind.Array)
                    {
                        LeadGroupBytes.Count(groupBytes, container.Values, container.Length, presentList.AsSpan(0, leads), tally, ways);
                        continue;
                    }
                    if (probing || (keep && container.Kind == ContainerKind.Bitset))
                    {
                        for (var i = 0; i < lead.Length; i++)
                        {
                            if (present[i])
                            {
                                tally[(i + 1) * ways] += ContainerAlgebra.AndCountBitset(container, narrowed + (i * BitsetContainer.Words));
                            }
                        }
                        continue;
                    }
                    Tally(container, inFilter, map, tally, ways);
                }
                if (!probing)
                {
                    NativeMemory.Clear(map, MapBytes);
                }
            }
        }
        finally
        {
            NativeMemory.AlignedFree(map);
            NativeMemory.AlignedFree(inFilter);
            NativeMemory.AlignedFree(narrowed);
            NativeMemory.AlignedFree(groupBytes);
        }
        for (var i = 0; i < lead.Length; i++)
        {
            for (var j = 0; j < last.Length; j++)
            {
                var slot = (((j * groups) + i + 1) * ways);
                long sum = 0;
                for (var w = 0; w < ways; w++)
                {
                    sum += tallies[slot + w];
                }
                counts[(i * last.Length) + j] = sum;
            }
        }
        return true;
    }

    // The key's mode: probing every kept narrowed filter costs about 0.4 ns per lead row and value of the last rows'
    // array and run containers (gathered probes; bitset containers are AND-counted either way), the group map about
    // 2 ns per marked column plus 1.5 ns per value. Probing needs no marking, so it also runs when lead rows overlap.
    private static bool Probes(int leads, long sparseValues, long narrowedTotal) =>
        4 * leads * sparseValues <= (20 * narrowedTotal) + (15 * sparseValues);

    // Gives the columns of a narrowed filter bitset the group number; false when one already has a group.
    private static bool Mark(ulong* bits, ushort* map, ushort group)
    {
        var clash = 0;
        for (var w = 0; w < BitsetContainer.Words; w++)
        {
            for (var word = bits[w]; word != 0; word &= word - 1)
            {
                var v = (w << 6) | BitOperations.TrailingZeroCount(word);
                clash |= map[v];
                map[v] = group;
            }
        }
        return clash == 0;
    }

    // Adds one to the tally of the group of every value v of the container (group 0: outside filter ∩ every lead row),
    // spreading consecutive values over the group's interleaved slots.
    private static void Tally(in Container container, ulong* inFilter, ushort* map, Span<long> tally, int ways)
    {
        var spread = ways - 1;
        var n = 0;
        switch (container.Kind)
        {
            case ContainerKind.Array:
                var values = container.Values;
                for (; n < container.Length; n++)
                {
                    tally[(map[values[n]] * ways) + (n & spread)]++;
                }
                break;
            case ContainerKind.Bitset:
                var words = container.Words;
                for (var w = 0; w < BitsetContainer.Words; w++)
                {
                    // Columns outside the filter have group 0: skip them a word at a time.
                    for (var bits = words[w] & inFilter[w]; bits != 0; bits &= bits - 1, n++)
                    {
                        tally[(map[(w << 6) | BitOperations.TrailingZeroCount(bits)] * ways) + (n & spread)]++;
                    }
                }
                break;
            default:
                var runs = container.Runs;
                for (var r = 0; r < container.Length; r++)
                {
                    int start = runs[2 * r];
                    var end = start + runs[(2 * r) + 1];
                    for (var v = start; v <= end; v++, n++)
                    {
                        tally[(map[v] * ways) + (n & spread)]++;
                    }
                }
                break;
        }
    }
}
