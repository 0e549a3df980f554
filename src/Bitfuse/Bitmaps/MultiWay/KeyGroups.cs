
namespace Bitfuse.Bitmaps.MultiWay;

/// <summary>
/// Walks the keys of many inputs and hands each key's containers, as one contiguous group, to a combiner
/// (the OR of <see cref="UnionExecution"/>, the XOR of <see cref="SymmetricDifferenceExecution"/>).
/// <list type="number">
/// <item>Up to <see cref="MergeLimit"/> inputs, keys come from a k-way merge of the sorted key arrays; more
/// inputs are bucket-sorted by key (a counter per key, then the container descriptors copied input by input into
/// their key's group), so 1,000 inputs cost one visit per container, not one probe per input per key.</item>
/// <item>A key only one input holds is that input's container, copied (or its cardinality counted) here; a key
/// two inputs hold takes the combiner's pair algorithm, staged (or counted) here; the combiner stages the answer
/// of every other key in the scratch; the staged answers become the result bitmap.</item>
/// </list>
/// Invariants: inputs are only read; keys reach the combiner in ascending order, each once, with exactly two
/// containers (pair) or at least three (group); the bucket counters are zero again when a run ends, even after an
/// exception; staged containers are freed when a run fails part-way.
/// </summary>
internal static class KeyGroups
{
    /// <summary>Up to this many inputs, keys come from a k-way merge; beyond it, from the bucket sort.</summary>
    public const int MergeLimit = 16;

    /// <summary>The total count of the combiner's answers; the answer itself in <paramref name="result"/> when <paramref name="materialise"/>.</summary>
    public static long Run<TCombiner>(ReadOnlySpan<Bitmap> inputs, ReadOnlySpan<int> members, DirectScratch scratch, bool materialise, out Bitmap? result)
        where TCombiner : IKeyGroupCombiner
    {
        result = null;
        var total = 0;
        foreach (var m in members)
        {
            total += inputs[m].ContainerCount;
        }
        scratch.EnsureEntries(total);
        scratch.EnsureInputs(members.Length);
        if (materialise)
        {
            scratch.EnsureResults(Math.Min(total, 65536));
        }
        long count = 0;
        var staged = 0;
        try
        {
            count = members.Length <= MergeLimit
                ? Merge<TCombiner>(inputs, members, scratch, materialise, ref staged)
                : Buckets<TCombiner>(inputs, members, scratch, materialise, ref staged);
            result = scratch.TakeResult(materialise, ref staged);
            return count;
        }
        finally
        {
            scratch.DropResults(staged);
        }
    }

    // The inputs' keys merged through KeyHeads; the bitmaps are only touched to take and advance.
    private static long Merge<TCombiner>(ReadOnlySpan<Bitmap> inputs, ReadOnlySpan<int> members, DirectScratch scratch, bool materialise, ref int staged)
        where TCombiner : IKeyGroupCombiner
    {
        var cursors = scratch.Cursors;
        Span<int> heads = stackalloc int[MergeLimit];
        heads = heads[..members.Length];
        for (var i = 0; i < members.Length; i++)
        {
            var input = inputs[members[i]];
            cursors[i] = 0;
            heads[i] = KeyHeads.At(input, 0);
        }
        var entries = scratch.Entries;
        long count = 0;
        while (true)
        {
            var key = KeyHeads.Smallest(heads);
            if (key == KeyHeads.Exhausted)
            {
                return count;
            }
            var m = 0;
            for (var i = 0; i < heads.Length; i++)
            {
                if (heads[i] == key)
                {
                    var input = inputs[members[i]];
                    var at = cursors[i];
                    entries[m++] = input.ContainerAt(at);
                    cursors[i] = ++at;
                    heads[i] = KeyHeads.At(input, at);
                }
            }
            count += Key<TCombiner>(entries.AsSpan(0, m), (ushort)key, scratch, materialise, ref staged);
        }
    }

    private static long Buckets<TCombiner>(ReadOnlySpan<Bitmap> inputs, ReadOnlySpan<int> members, DirectScratch scratch, bool materialise, ref int staged)
        where TCombiner : IKeyGroupCombiner
    {
        var counts = scratch.KeyCounts;
        var entries = scratch.Entries;
        var lo = 65536;
        var hi = -1;
        foreach (var m in members)
        {
            var keys = inputs[m].Keys;
            if (keys.Length == 0)
            {
                continue;
            }
            lo = Math.Min(lo, keys[0]);
            hi = Math.Max(hi, keys[^1]);
            foreach (var k in keys)
            {
                counts[k]++;
            }
        }
        if (hi < 0)
        {
            return 0;
        }
        try
        {
            // Counters become each bucket's start; placing entries moves every start to its bucket's end.
            var running = 0;
            for (var k = lo; k <= hi; k++)
            {
                var c = counts[k];
                counts[k] = running;
                running += c;
            }
            // Descriptors are copied input by input (sequential reads), so each key's group is contiguous.
            foreach (var m in members)
            {
                var keys = inputs[m].Keys;
                var containers = inputs[m].Containers;
                for (var i = 0; i < keys.Length; i++)
                {
                    entries[counts[keys[i]]++] = containers[i];
                }
            }
            long count = 0;
            var begin = 0;
            for (var k = lo; k <= hi; k++)
            {
                var end = counts[k];
                if (end > begin)
                {
                    count += Key<TCombiner>(entries.AsSpan(begin, end - begin), (ushort)k, scratch, materialise, ref staged);
                    begin = end;
                }
            }
            return count;
        }
        finally
        {
            Array.Clear(counts, lo, hi - lo + 1);
        }
    }

    // One key's group: a lone container is the answer itself, two take the combiner's pair algorithm, more its
    // group algorithm.
    private static int Key<TCombiner>(ReadOnlySpan<Container> group, ushort key, DirectScratch scratch, bool materialise, ref int staged)
        where TCombiner : IKeyGroupCombiner
    {
        if (group.Length > 2)
        {
            var answer = TCombiner.Key(group, scratch, materialise, out var container);
            if (materialise)
            {
                scratch.Stage(ref staged, key, container);
            }
            return answer;
        }
        if (group.Length == 2)
        {
            if (!materialise)
            {
                return TCombiner.PairCount(group[0], group[1]);
            }
            var pair = TCombiner.Pair(group[0], group[1]);
            var cardinality = pair.Cardinality;
            scratch.Stage(ref staged, key, pair);
            return cardinality;
        }
        if (materialise)
        {
            scratch.Stage(ref staged, key, group[0].Clone());
        }
        return group[0].Cardinality;
    }
}
