using System.Runtime.CompilerServices;

namespace Bitfuse.Bitmaps.MultiWay;

/// <summary>
/// An AND of inputs and negated inputs (<c>a &amp; b &amp; c &amp; !d</c>) without per-key plans or kernels.
/// <list type="number">
/// <item>Keys: the positive input with the fewest containers drives a leapfrog over the others' sorted keys
/// (galloping); an input that rejects a key moves to the front of the probe order, so the most selective
/// inputs are asked first. Keys missing from any positive input are never looked at.</item>
/// <item>Per key (<see cref="Key"/>, shared with the query planner's Intersect plans): the key's containers
/// are one group, the positives first. Two containers take the pair algorithm (<see cref="ContainerAlgebra"/>;
/// counted by its counting identities). Runs without a bitset, the smallest positive a run, narrow pairwise by
/// interval merges. Otherwise the answer starts from the smallest container (an array, or a bitset when the
/// smallest is one) and is filtered in place by every other container: array by array (merge or gallop), array
/// by bitset (bit test), array by run (merge), bitset by bitset (vector AND); array-by-array steps alternate
/// between two buffers (the vector merge writes ahead of what it has read, so never in place). It stops when it
/// becomes empty. Negated inputs present at the key remove their values the same way.</item>
/// </list>
/// Invariants: inputs are only read; the answer is a subset of every positive input, so it needs no
/// universe; counting keeps no container.
/// </summary>
internal static unsafe class IntersectExecution
{
    // A bitset answer this small becomes an array: filtering values beats vector passes over 8 KiB.
    private const int ToArrayBelow = 512;

    /// <summary>The number of values of the AND; the answer itself in <paramref name="result"/> when <paramref name="materialise"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static long Run(ReadOnlySpan<Bitmap> inputs, ReadOnlySpan<int> positives, ReadOnlySpan<int> negatives, DirectScratch scratch, bool materialise, out Bitmap? result)
    {
        result = null;
        var p = positives.Length;
        scratch.EnsureInputs(p + negatives.Length);
        scratch.EnsureEntries(p + negatives.Length);
        var order = scratch.Order;
        var cursors = scratch.Cursors;
        var driver = positives[0];
        for (var i = 0; i < p; i++)
        {
            var input = positives[i];
            if (inputs[input].ContainerCount < inputs[driver].ContainerCount)
            {
                driver = input;
            }
        }
        if (inputs[driver].ContainerCount == 0)
        {
            result = materialise ? new Bitmap() : null;
            return 0;
        }
        // order[0..p-1]: the driver, then the other positives; order[p..]: the negatives.
        order[0] = driver;
        var w = 1;
        for (var i = 0; i < p; i++)
        {
            // Positions are distinct: the canonical form numbers each input once.
            if (positives[i] != driver)
            {
                order[w++] = positives[i];
            }
        }
        for (var i = 0; i < negatives.Length; i++)
        {
            order[p + i] = negatives[i];
        }
        Array.Clear(cursors, 0, p + negatives.Length);
        if (materialise)
        {
            scratch.EnsureResults(inputs[driver].ContainerCount);
        }

        long count = 0;
        var staged = 0;
        var driverKeys = inputs[driver].Keys;
        var d = 0;
        try
        {
            while (d < driverKeys.Length)
            {
                var key = driverKeys[d];
                var agreed = true;
                for (var j = 1; j < p; j++)
                {
                    var keys = inputs[order[j]].Keys;
                    var c = KeySearch.Advance(keys, cursors[j], key);
                    cursors[j] = c;
                    if (c == keys.Length)
                    {
                        goto Done;
                    }
                    if (keys[c] != key)
                    {
                        d = KeySearch.Advance(driverKeys, d, keys[c]);
                        if (j > 1)
                        {
                            (order[1], order[j]) = (order[j], order[1]);
                            (cursors[1], cursors[j]) = (cursors[j], cursors[1]);
                        }
                        agreed = false;
                        break;
                    }
                }
                if (!agreed)
                {
                    continue;
                }
                cursors[0] = d;
                var group = Gather(inputs, order, cursors, p, negatives.Length, key, scratch);
                var answer = Key(group, p, scratch, materialise, out var container);
                count += answer;
                if (materialise)
                {
                    scratch.Stage(ref staged, key, container);
                }
                d++;
            }
        Done:
            result = scratch.TakeResult(materialise, ref staged);
            return count;
        }
        finally
        {
            scratch.DropResults(staged);
        }
    }

    // The containers of one key that every positive input holds (cursors[j] is order[j]'s container there), as
    // one group: the positives, then the negated inputs that hold the key too.
    private static ReadOnlySpan<Container> Gather(ReadOnlySpan<Bitmap> inputs, int[] order, int[] cursors, int p, int q, ushort key, DirectScratch scratch)
    {
        var group = scratch.Entries;
        for (var j = 0; j < p; j++)
        {
            group[j] = inputs[order[j]].ContainerAt(cursors[j]);
        }
        var n = p;
        for (var j = p; j < p + q; j++)
        {
            var input = inputs[order[j]];
            var keys = input.Keys;
            var at = KeySearch.Advance(keys, cursors[j], key);
            cursors[j] = at;
            if (at < keys.Length && keys[at] == key)
            {
                group[n++] = input.ContainerAt(at);
            }
        }
        return group.AsSpan(0, n);
    }

    /// <summary>
    /// The AND of one key's containers, the one per-key intersection of the bitmaps' aggregation, the direct
    /// query forms and the query planner's Intersect plans: <paramref name="group"/>[..<paramref name="positives"/>]
    /// are anded, the rest (negated inputs that hold the key) removed; all are only read. Returns the answer's
    /// cardinality and, when <paramref name="materialise"/>, the answer as a new owned container (empty
    /// descriptor when it has none). Two containers take the pair algorithm of <see cref="ContainerAlgebra"/>
    /// (counted by its counting identities); run containers without a bitset among them narrow pairwise as
    /// interval merges, so runs stay runs; everything else filters the smallest positive container's values
    /// (or bits) in scratch. Keys answered in the scratch bitset add one to <see cref="DirectScratch.BitsetKeys"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int Key(ReadOnlySpan<Container> group, int positives, DirectScratch scratch, bool materialise, out Container container)
    {
        container = default;
        var p = positives;
        if (group.Length <= 2)
        {
            return Pair(group, p, materialise, out container);
        }
        var smallest = 0;
        var least = int.MaxValue;
        for (var j = 0; j < p; j++)
        {
            var cardinality = group[j].Cardinality;
            if (cardinality < least)
            {
                least = cardinality;
                smallest = j;
            }
        }
        ref readonly var first = ref group[smallest];
        if (first.Kind == ContainerKind.Run && !HasBitset(group))
        {
            return Narrow(group, p, smallest, materialise, out container);
        }
        var values = scratch.Values;
        var spare = scratch.Spare;
        var bits = scratch.Bits;
        ulong* words = null;
        var owned = false;
        var n = 0;
        var card = 0;
        var asArray = true;
        switch (first.Kind)
        {
            case ContainerKind.Array:
                n = first.Length;
                Buffer.MemoryCopy(first.Values, values, 2L * n, 2L * n);
                break;
            case ContainerKind.Run when first.Cardinality <= ContainerAlgebra.ArrayMax:
                n = RunContainer.ToArray(first.Runs, first.Length, values);
                break;
            case ContainerKind.Run:
                first.CopyToBitset(bits);
                words = bits;
                owned = true;
                card = first.Cardinality;
                asArray = false;
                break;
            default:
                words = first.Words;
                card = first.Cardinality;
                asArray = false;
                break;
        }

        for (var j = 0; j < p; j++)
        {
            if (j == smallest)
            {
                continue;
            }
            if (asArray ? n == 0 : card == 0)
            {
                return 0;
            }
            ref readonly var c = ref group[j];
            if (asArray)
            {
                n = FilterValues(ref values, ref spare, n, c, keep: true);
                continue;
            }
            switch (c.Kind)
            {
                case ContainerKind.Array:
                    n = BitsetContainer.FilterIn(words, c.Values, c.Length, values);
                    asArray = true;
                    break;
                case ContainerKind.Bitset:
                    card = BitsetContainer.And(words, c.Words, bits);
                    words = bits;
                    owned = true;
                    break;
                default:
                    if (!owned)
                    {
                        Buffer.MemoryCopy(words, bits, 8192, 8192);
                        words = bits;
                        owned = true;
                    }
                    var previousEnd = 0;
                    for (var r = 0; r < c.Length; r++)
                    {
                        int start = c.Runs[2 * r];
                        card -= BitsetContainer.ClearRange(bits, previousEnd, start);
                        previousEnd = start + c.Runs[2 * r + 1] + 1;
                    }
                    card -= BitsetContainer.ClearRange(bits, previousEnd, 65536);
                    break;
            }
            if (!asArray && card <= ToArrayBelow)
            {
                n = BitsetWords.ToArray(words, values);
                asArray = true;
            }
        }

        // The negated inputs remove their values.
        for (var j = p; j < group.Length; j++)
        {
            if (asArray ? n == 0 : card == 0)
            {
                return 0;
            }
            ref readonly var c = ref group[j];
            if (asArray)
            {
                n = FilterValues(ref values, ref spare, n, c, keep: false);
                continue;
            }
            if (!owned)
            {
                Buffer.MemoryCopy(words, bits, 8192, 8192);
                words = bits;
                owned = true;
            }
            switch (c.Kind)
            {
                case ContainerKind.Bitset:
                    card = BitsetContainer.AndNot(bits, c.Words, bits);
                    break;
                case ContainerKind.Array:
                    for (var i = 0; i < c.Length; i++)
                    {
                        var v = c.Values[i];
                        var bit = 1UL << v;
                        card -= (int)((bits[v >> 6] >> v) & 1);
                        bits[v >> 6] &= ~bit;
                    }
                    break;
                default:
                    for (var r = 0; r < c.Length; r++)
                    {
                        int start = c.Runs[2 * r];
                        card -= BitsetContainer.ClearRange(bits, start, start + c.Runs[2 * r + 1] + 1);
                    }
                    break;
            }
        }

        if (!asArray)
        {
            scratch.BitsetKeys++;
        }
        var total = asArray ? n : card;
        if (total == 0 || !materialise)
        {
            return total;
        }
        if (asArray)
        {
            container = Container.NewArray(n);
            Buffer.MemoryCopy(values, container.Values, 2L * n, 2L * n);
            container.Length = container.Cardinality = n;
        }
        else
        {
            container = BitsetWords.ToContainer(words, card, values);
        }
        return total;
    }

    // One container (its copy), or two: a & b or a & !b through the pair algorithms, counted without building.
    private static int Pair(ReadOnlySpan<Container> group, int p, bool materialise, out Container container)
    {
        container = default;
        ref readonly var a = ref group[0];
        if (group.Length == 1)
        {
            if (materialise)
            {
                container = a.Clone();
            }
            return a.Cardinality;
        }
        ref readonly var b = ref group[1];
        if (!materialise)
        {
            var both = ContainerAlgebra.AndCount(a, b);
            return p == 2 ? both : a.Cardinality - both;
        }
        container = p == 2 ? ContainerAlgebra.And(a, b) : ContainerAlgebra.AndNot(a, b);
        return container.Cardinality;
    }

    private static bool HasBitset(ReadOnlySpan<Container> group)
    {
        foreach (ref readonly var c in group)
        {
            if (c.Kind == ContainerKind.Bitset)
            {
                return true;
            }
        }
        return false;
    }

    // Run containers (and arrays) without a bitset, the smallest positive a run: the answer narrows pairwise
    // through the container algebra, each step an interval merge (or a filter once an array joins), so run
    // answers stay runs instead of being expanded into 8 KiB.
    private static int Narrow(ReadOnlySpan<Container> group, int p, int smallest, bool materialise, out Container container)
    {
        container = default;
        var accumulator = group[smallest];
        var owned = false;
        for (var j = 0; j < group.Length; j++)
        {
            if (j == smallest)
            {
                continue;
            }
            var next = j < p ? ContainerAlgebra.And(accumulator, group[j]) : ContainerAlgebra.AndNot(accumulator, group[j]);
            if (owned)
            {
                accumulator.Free();
            }
            accumulator = next;
            owned = true;
            if (accumulator.IsEmpty)
            {
                return 0;
            }
        }
        var cardinality = accumulator.Cardinality;
        if (materialise)
        {
            container = accumulator;
        }
        else
        {
            accumulator.Free();
        }
        return cardinality;
    }

    // Keeps the answer's values that c holds (keep) or lacks; returns how many. Array by array goes to the spare
    // buffer, which becomes the answer's (the vector merge writes whole blocks ahead of what it has read: never in
    // place); by a bitset or runs it filters in place.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int FilterValues(ref ushort* values, ref ushort* spare, int n, in Container c, bool keep)
    {
        switch (c.Kind)
        {
            case ContainerKind.Array:
                n = keep
                    ? ArrayContainer.Intersect(values, n, c.Values, c.Length, spare)
                    : ArrayContainer.Difference(values, n, c.Values, c.Length, spare);
                var swap = values;
                values = spare;
                spare = swap;
                return n;
            case ContainerKind.Bitset:
                return keep
                    ? BitsetContainer.FilterIn(c.Words, values, n, values)
                    : BitsetContainer.FilterOut(c.Words, values, n, values);
            default:
                return keep
                    ? RunContainer.FilterIn(c.Runs, c.Length, values, n, values)
                    : RunContainer.FilterOut(c.Runs, c.Length, values, n, values);
        }
    }
}
