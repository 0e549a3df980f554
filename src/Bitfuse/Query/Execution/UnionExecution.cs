using System.Runtime.CompilerServices;
using Bitfuse.Bitmaps;

namespace Bitfuse.Query.Execution;

/// <summary>
/// An OR of three or more inputs without per-key plans or kernels.
/// <list type="number">
/// <item>Keys: up to <see cref="MergeLimit"/> inputs, a k-way merge of the sorted key arrays; more inputs are
/// bucket-sorted by key (a counter per key, then the container descriptors copied input by input into their
/// key's group), so 200 inputs cost one visit per container, not one probe per input per key, and each key's
/// containers are read from one contiguous group.</item>
/// <item>Per key: one container is copied (or its cardinality counted); two take the pair algorithm
/// (counting as |a| + |b| - |a ∩ b|); more are either gathered, sorted and deduplicated when they are a few
/// array values; only arrays are scattered into a bitset kept all zero between uses (counting new bits as they
/// go when they are few) and only the touched words are cleared afterwards; anything with a bitset or a run is scattered into
/// one scratch bitset (bitsets with a vector OR, runs by range, then arrays bit by bit, storing only when a block of four values is not all set already) and counted once. Answers
/// are emitted in the best plain kind.</item>
/// </list>
/// Invariants: inputs are only read; the answer is a subset of the inputs' union, so it needs no universe;
/// the bucket counters are zero again when a run ends, even after an exception.
/// </summary>
internal static unsafe class UnionExecution
{
    /// <summary>Up to this many inputs, keys come from a k-way merge; beyond it, from the bucket sort.</summary>
    public const int MergeLimit = 16;

    // Array values up to this many in total are gathered and sorted instead of scattered into 8 KiB.
    private const int GatherLimit = 128;

    // Up to this many array values, the scatter counts new bits per value instead of counting 8 KiB afterwards.
    private const int CountWhileSettingLimit = 256;

    /// <summary>The number of values of the OR; the answer itself in <paramref name="result"/> when <paramref name="materialise"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static long Run(Bitmap[] inputs, int[] members, DirectScratch scratch, bool materialise, out Bitmap? result)
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
            if (members.Length <= MergeLimit)
            {
                count = Merge(inputs, members, scratch, materialise, ref staged);
            }
            else
            {
                count = Buckets(inputs, members, scratch, materialise, ref staged);
            }
            if (materialise)
            {
                result = scratch.TakeResult(staged);
                staged = 0;
            }
            return count;
        }
        finally
        {
            scratch.DropResults(staged);
        }
    }

    private static long Merge(Bitmap[] inputs, int[] members, DirectScratch scratch, bool materialise, ref int staged)
    {
        var cursors = scratch.Cursors;
        Array.Clear(cursors, 0, members.Length);
        var entries = scratch.Entries;
        long count = 0;
        while (true)
        {
            var key = int.MaxValue;
            for (var i = 0; i < members.Length; i++)
            {
                var input = inputs[members[i]];
                if (cursors[i] < input.ContainerCount)
                {
                    key = Math.Min(key, input.KeyAt(cursors[i]));
                }
            }
            if (key == int.MaxValue)
            {
                return count;
            }
            var m = 0;
            for (var i = 0; i < members.Length; i++)
            {
                var input = inputs[members[i]];
                if (cursors[i] < input.ContainerCount && input.KeyAt(cursors[i]) == key)
                {
                    entries[m++] = input.ContainerAt(cursors[i]);
                    cursors[i]++;
                }
            }
            count += Key(entries.AsSpan(0, m), (ushort)key, scratch, materialise, ref staged);
        }
    }

    private static long Buckets(Bitmap[] inputs, int[] members, DirectScratch scratch, bool materialise, ref int staged)
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
                    count += Key(entries.AsSpan(begin, end - begin), (ushort)k, scratch, materialise, ref staged);
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

    // The OR of one key's containers.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int Key(ReadOnlySpan<Container> group, ushort key, DirectScratch scratch, bool materialise, ref int staged)
    {
        ref readonly var a = ref group[0];
        if (group.Length == 1)
        {
            if (materialise)
            {
                Stage(scratch, ref staged, key, a.Clone());
            }
            return a.Cardinality;
        }
        if (group.Length == 2)
        {
            ref readonly var b = ref group[1];
            if (!materialise)
            {
                return a.Cardinality + b.Cardinality - ContainerAlgebra.AndCount(a, b);
            }
            var pair = ContainerAlgebra.Or(a, b);
            var pairCardinality = pair.Cardinality;
            Stage(scratch, ref staged, key, pair);
            return pairCardinality;
        }

        var sum = 0;
        var arrays = true;
        var firstBitset = -1;
        for (var e = 0; e < group.Length; e++)
        {
            ref readonly var c = ref group[e];
            sum += c.Cardinality;
            if (c.Kind != ContainerKind.Array)
            {
                arrays = false;
                if (c.Kind == ContainerKind.Bitset && firstBitset < 0)
                {
                    firstBitset = e;
                }
            }
        }
        if (arrays && sum <= GatherLimit)
        {
            var values = scratch.Values;
            var n = 0;
            foreach (ref readonly var c in group)
            {
                Buffer.MemoryCopy(c.Values, values + n, 2L * c.Length, 2L * c.Length);
                n += c.Length;
            }
            new Span<ushort>(values, n).Sort();
            var distinct = 1;
            for (var i = 1; i < n; i++)
            {
                if (values[i] != values[distinct - 1])
                {
                    values[distinct++] = values[i];
                }
            }
            if (materialise)
            {
                var container = Container.NewArray(distinct);
                Buffer.MemoryCopy(values, container.Values, 2L * distinct, 2L * distinct);
                container.Length = container.Cardinality = distinct;
                Stage(scratch, ref staged, key, container);
            }
            return distinct;
        }

        if (arrays)
        {
            return Arrays(group, sum, key, scratch, materialise, ref staged);
        }

        var bits = scratch.Bits;
        if (firstBitset >= 0)
        {
            Buffer.MemoryCopy(group[firstBitset].Words, bits, 8192, 8192);
        }
        else
        {
            new Span<ulong>(bits, 1024).Clear();
        }
        // Bitsets and runs first, arrays last: array values the others already cover are only tested, not stored.
        for (var e = 0; e < group.Length; e++)
        {
            if (e == firstBitset)
            {
                continue;
            }
            ref readonly var c = ref group[e];
            switch (c.Kind)
            {
                case ContainerKind.Array:
                    break;
                case ContainerKind.Bitset:
                    BitsetWords.OrInto(bits, c.Words);
                    break;
                default:
                    for (var r = 0; r < c.Length; r++)
                    {
                        int start = c.Runs[2 * r];
                        BitsetContainer.SetRange(bits, start, start + c.Runs[2 * r + 1] + 1);
                    }
                    break;
            }
        }
        foreach (ref readonly var c in group)
        {
            if (c.Kind == ContainerKind.Array)
            {
                BitsetWords.SetMissingValues(bits, c.Values, c.Length);
            }
        }
        var cardinality = BitsetContainer.Cardinality(bits);
        if (materialise)
        {
            Stage(scratch, ref staged, key, BitsetWords.ToContainer(bits, cardinality, scratch.Values));
        }
        return cardinality;
    }

    // Only arrays, more values than are worth sorting: they are scattered into the all-zero bitset (a few hundred
    // values counting new bits as they go, more with plain stores and one vector count: counting per value costs
    // more than the 8 KiB count beyond that), and afterwards only the touched words are cleared again (unless
    // there were so many values that clearing everything is cheaper).
    private static int Arrays(ReadOnlySpan<Container> group, int sum, ushort key, DirectScratch scratch, bool materialise, ref int staged)
    {
        var bits = scratch.ZeroBits;
        var cardinality = 0;
        try
        {
            if (sum <= CountWhileSettingLimit)
            {
                foreach (ref readonly var c in group)
                {
                    cardinality += BitsetWords.SetValuesCounting(bits, c.Values, c.Length);
                }
            }
            else
            {
                foreach (ref readonly var c in group)
                {
                    BitsetContainer.SetValues(bits, c.Values, c.Length);
                }
                cardinality = BitsetContainer.Cardinality(bits);
            }
            if (materialise)
            {
                Stage(scratch, ref staged, key, BitsetWords.ToContainer(bits, cardinality, scratch.Values));
            }
            return cardinality;
        }
        finally
        {
            if (sum > 2048)
            {
                new Span<ulong>(bits, 1024).Clear();
            }
            else
            {
                foreach (ref readonly var c in group)
                {
                    BitsetWords.ClearWords(bits, c.Values, c.Length);
                }
            }
        }
    }

    private static void Stage(DirectScratch scratch, ref int staged, ushort key, Container container)
    {
        if (container.Cardinality == 0)
        {
            container.Free();
            return;
        }
        scratch.ResultKeys[staged] = key;
        scratch.ResultContainers[staged] = container;
        staged++;
    }
}
