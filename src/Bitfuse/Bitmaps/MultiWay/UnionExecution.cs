using System.Runtime.CompilerServices;

namespace Bitfuse.Bitmaps.MultiWay;

/// <summary>
/// An OR of three or more inputs without per-key plans or kernels: <see cref="KeyGroups"/> hands each key's
/// containers over as one group. The per-key code (<see cref="Key"/>) is also what the query planner's Union
/// plans run.
/// <list type="bullet">
/// <item>Per key: two containers take the pair algorithm
/// (counting as |a| + |b| - |a ∩ b|; two arrays merge, the shorter galloping through the longer when their
/// lengths are far apart); a count over a few runs and arrays of at most one bitset's bytes folds all but the
/// last container pairwise and counts the last step; up to eight arrays that fit in one array merge pairwise, shortest first; more are
/// gathered, sorted and deduplicated when they are a few array values, else ORed into one bitset (bitsets with a vector OR, runs by range, arrays value by value) over the
/// words between the group's smallest and largest possible value only, stopping early once that span is full,
/// and counted once at the end. Answers are emitted in the best plain kind, or as one run when the span filled
/// up.</item>
/// </list>
/// Invariants: inputs are only read; the answer is a subset of the inputs' union, so it needs no universe;
/// a key's answer holds no value outside [smallest, largest] of its inputs, so only those words of a bitset are
/// ever cleared, counted or read.
/// </summary>
internal static unsafe class UnionExecution
{
    // Array values up to this many in total are gathered and sorted instead of scattered into 8 KiB.
    private const int GatherLimit = 128;

    // Up to this many arrays holding at most an array's worth of values together are merged pairwise instead
    // of scattered and extracted (on the real data sets' 4- and 8-input windows, merging measured up to 2x
    // faster: extraction walks every word of the span, merging only the values).
    private const int MergeCountLimit = 8;

    private const int MergeSumLimit = ContainerAlgebra.ArrayMax;

    // Groups of runs and arrays without a bitset, of up to this many containers and this many intervals in all
    // (runs, and array values as runs of one), are merged as intervals: the answer stays runs, as CRoaring's
    // run unions keep it, instead of being set range by range into 8 KiB, counted and extracted. The interval
    // limit is what the scratch buffers hold as runs.
    private const int RunMergeCountLimit = 8;

    private const int RunMergeIntervalLimit = DirectScratch.ValueCapacity / 2;

    // Up to RunMergeCountLimit runs and arrays without a bitset, holding at most one bitset's bytes together, are
    // counted by folding all but the last container and counting the last step (|a| + |b| - |a ∩ b|) without
    // building it. More containers would pay an allocation and a growing merge per step.
    private const int FoldCountBytes = 8192;

    // A pair of arrays at least this many times apart in length is merged by galloping the shorter one.
    private const int SkewedUnionRatio = 32;

    /// <summary>The number of values of the OR; the answer itself in <paramref name="result"/> when <paramref name="materialise"/>.</summary>
    public static long Run(ReadOnlySpan<Bitmap> inputs, ReadOnlySpan<int> members, DirectScratch scratch, bool materialise, out Bitmap? result) =>
        KeyGroups.Run<Combiner>(inputs, members, scratch, materialise, out result);

    /// <summary>
    /// The OR of three or more containers of one key, the one per-key union of the bitmaps' aggregation, the
    /// direct query form and the query planner's Union plans: <paramref name="group"/> is only read; returns the
    /// answer's cardinality and, when <paramref name="materialise"/>, the answer as a new owned container. Keys
    /// answered in the scratch bitset add one to <see cref="DirectScratch.BitsetKeys"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int Key(ReadOnlySpan<Container> group, DirectScratch scratch, bool materialise, out Container container)
    {
        container = default;
        var sum = 0;
        var arrays = true;
        var bitsets = false;
        var intervals = 0;
        var bytes = 0;
        for (var e = 0; e < group.Length; e++)
        {
            ref readonly var c = ref group[e];
            sum += c.Cardinality;
            intervals += c.Length;
            bytes += c.SerializedBytes;
            arrays &= c.Kind == ContainerKind.Array;
            bitsets |= c.Kind == ContainerKind.Bitset;
        }
        if (!materialise && !arrays && !bitsets && group.Length <= RunMergeCountLimit && bytes <= FoldCountBytes)
        {
            return FoldCount(group);
        }
        if (arrays && group.Length <= MergeCountLimit && sum <= MergeSumLimit)
        {
            return MergeArrays(group, scratch, materialise, out container);
        }
        if (!arrays && !bitsets && group.Length <= RunMergeCountLimit && intervals <= RunMergeIntervalLimit)
        {
            return MergeRuns(group, scratch, materialise, out container);
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
                container = Container.NewArray(distinct);
                Buffer.MemoryCopy(values, container.Values, 2L * distinct, 2L * distinct);
                container.Length = container.Cardinality = distinct;
            }
            return distinct;
        }
        scratch.BitsetKeys++;
        return Wide(group, sum, scratch, materialise, out container);
    }

    // Three or more containers into one bitset: bitsets with a vector OR, runs by range, arrays value by value
    // (in that order, so the cheap dense inputs come first). Only the words between the smallest and the largest
    // value any input can hold are cleared, counted and extracted. Once the inputs added so far could fill that
    // span, it is tested after each further step of comparable cost, and when it is full the rest is skipped:
    // the answer is the span itself, one run (dense keys of many inputs, such as census-income's, fill up long
    // before their last input). When the answer will be a bitset, the bits are built in the result container
    // itself instead of being copied out of scratch.
    private static int Wide(ReadOnlySpan<Container> group, int sum, DirectScratch scratch, bool materialise, out Container container)
    {
        container = default;
        var lo = 65535;
        var hi = 0;
        var firstBitset = -1;
        for (var e = 0; e < group.Length; e++)
        {
            ref readonly var c = ref group[e];
            if (c.Cardinality == 65536)
            {
                return Full(0, 65535, materialise, out container);
            }
            switch (c.Kind)
            {
                case ContainerKind.Array:
                    lo = Math.Min(lo, c.Values[0]);
                    hi = Math.Max(hi, c.Values[c.Length - 1]);
                    break;
                case ContainerKind.Bitset:
                    lo = 0;
                    hi = 65535;
                    if (firstBitset < 0)
                    {
                        firstBitset = e;
                    }
                    break;
                default:
                    lo = Math.Min(lo, c.Runs[0]);
                    hi = Math.Max(hi, c.Runs[2 * c.Length - 2] + c.Runs[2 * c.Length - 1]);
                    break;
            }
        }
        var span = hi - lo + 1;
        var firstWord = lo >> 6;
        var lastWord = hi >> 6;
        var spanWords = lastWord - firstWord + 1;

        // Materialised answers that may exceed an array are built in place; everything else in scratch, whose
        // words outside the span may hold anything.
        var target = default(Container);
        ulong* bits;
        if (materialise && sum > ContainerAlgebra.ArrayMax)
        {
            target = Container.NewBitset(clear: firstBitset < 0);
            bits = target.Words;
        }
        else
        {
            bits = scratch.Bits;
            if (firstBitset < 0)
            {
                new Span<ulong>(bits + firstWord, spanWords).Clear();
            }
        }
        var added = 0;
        if (firstBitset >= 0)
        {
            Buffer.MemoryCopy(group[firstBitset].Words, bits, 8192, 8192);
            added = group[firstBitset].Cardinality;
        }

        // Work since the last coverage test, in words a test would read; a test runs once it costs at most a
        // quarter of the work it may save.
        var work = 0;
        var covered = false;
        for (var pass = 0; pass < 3 && !covered; pass++)
        {
            var kind = pass switch
            {
                0 => ContainerKind.Bitset,
                1 => ContainerKind.Run,
                _ => ContainerKind.Array,
            };
            for (var e = 0; e < group.Length; e++)
            {
                ref readonly var c = ref group[e];
                if (c.Kind != kind || e == firstBitset)
                {
                    continue;
                }
                switch (kind)
                {
                    case ContainerKind.Bitset:
                        BitsetWords.OrInto(bits, c.Words);
                        work += 4 * 1024;
                        break;
                    case ContainerKind.Run:
                        {
                            // The run list and its length in locals: the stores into bits could otherwise alias them.
                            var runs = c.Runs;
                            var end = runs + (2 * c.Length);
                            for (var run = runs; run < end; run += 2)
                            {
                                int start = run[0];
                                BitsetWords.SetRange(bits, start, start + run[1] + 1);
                            }
                            work += 4 * c.Length;
                            break;
                        }
                    default:
                        BitsetContainer.SetValues(bits, c.Values, c.Length);
                        work += 4 * c.Length;
                        break;
                }
                added += c.Cardinality;
                if (added >= span && 4 * spanWords <= work)
                {
                    work = 0;
                    if (BitsetWords.Covers(bits, lo, hi))
                    {
                        covered = true;
                        break;
                    }
                }
            }
        }
        if (covered)
        {
            target.Free();
            return Full(lo, hi, materialise, out container);
        }

        var cardinality = BitsetWords.Cardinality(bits, firstWord, lastWord);
        if (!materialise)
        {
            return cardinality;
        }
        if (cardinality > ContainerAlgebra.ArrayMax)
        {
            // Only reachable with sum > ArrayMax, so the bits are already the result container's.
            target.Cardinality = cardinality;
            container = target;
            return cardinality;
        }
        var values = scratch.Values;
        var n = BitsetWords.ToArray(bits, firstWord, lastWord, values);
        target.Free();
        container = Container.NewArray(n);
        Buffer.MemoryCopy(values, container.Values, 2L * n, 2L * n);
        container.Length = container.Cardinality = n;
        return n;
    }

    // A few arrays: merged pairwise, shortest first, through the vector array union, in two scratch buffers
    // (intermediate unions hold at most the sum of the lengths); the last merge writes into the answer itself.
    private static int MergeArrays(ReadOnlySpan<Container> group, DirectScratch scratch, bool materialise, out Container container)
    {
        container = default;
        Span<int> order = stackalloc int[group.Length];
        OrderByLength(group, order);
        var acc = scratch.Values;
        var spare = scratch.Spare;
        ref readonly var a = ref group[order[0]];
        ref readonly var b = ref group[order[1]];
        var n = UnionArrays(a.Values, a.Length, b.Values, b.Length, acc);
        for (var i = 2; i < group.Length - 1; i++)
        {
            ref readonly var c = ref group[order[i]];
            n = UnionArrays(acc, n, c.Values, c.Length, spare);
            var swap = acc;
            acc = spare;
            spare = swap;
        }
        ref readonly var last = ref group[order[^1]];
        if (!materialise)
        {
            return n + last.Length - ArrayContainer.IntersectCount(acc, n, last.Values, last.Length);
        }
        container = Container.NewArray(n + last.Length);
        container.Length = container.Cardinality = UnionArrays(acc, n, last.Values, last.Length, container.Values);
        return container.Cardinality;
    }

    // The count of a few runs and arrays: all but the last ORed pairwise through the container algebra (run lists
    // merge as intervals), the last only counted against that.
    private static int FoldCount(ReadOnlySpan<Container> group)
    {
        var accumulator = group[0];
        var owned = false;
        for (var e = 1; e < group.Length - 1; e++)
        {
            var next = ContainerAlgebra.Or(accumulator, group[e]);
            if (owned)
            {
                accumulator.Free();
            }
            accumulator = next;
            owned = true;
        }
        ref readonly var last = ref group[^1];
        var count = accumulator.Cardinality + last.Cardinality - ContainerAlgebra.AndCount(accumulator, last);
        if (owned)
        {
            accumulator.Free();
        }
        return count;
    }

    // The group's positions, shortest container first (insertion sort: groups here are a few containers).
    private static void OrderByLength(ReadOnlySpan<Container> group, Span<int> order)
    {
        for (var i = 0; i < group.Length; i++)
        {
            var length = group[i].Length;
            var j = i;
            for (; j > 0 && group[order[j - 1]].Length > length; j--)
            {
                order[j] = order[j - 1];
            }
            order[j] = i;
        }
    }

    // A few run and array containers (at least one run, no bitset, at most RunMergeIntervalLimit intervals in
    // all): merged pairwise as run lists, shortest first, each array turned into runs first, in two scratch
    // buffers (a union has at most the sum of its operands' runs); the answer is counted from its runs and
    // emitted in its smallest kind.
    private static int MergeRuns(ReadOnlySpan<Container> group, DirectScratch scratch, bool materialise, out Container container)
    {
        container = default;
        Span<int> order = stackalloc int[group.Length];
        OrderByLength(group, order);
        var first = scratch.Values;
        var second = scratch.Spare;
        var converted = (ushort*)scratch.Bits;
        ushort* current = null;
        var n = 0;
        foreach (var e in order)
        {
            ref readonly var c = ref group[e];
            ushort* runs;
            int length;
            if (c.Kind == ContainerKind.Run)
            {
                runs = c.Runs;
                length = c.Length;
            }
            else
            {
                runs = converted;
                length = RunContainer.FromArray(c.Values, c.Length, converted);
            }
            if (current is null)
            {
                // The first operand is read in place, unless it sits in the conversion buffer the next array reuses.
                current = runs;
                if (runs == converted)
                {
                    current = first;
                    Buffer.MemoryCopy(runs, current, 4L * length, 4L * length);
                }
                n = length;
                continue;
            }
            var destination = current == first ? second : first;
            n = RunContainer.Union(current, n, runs, length, destination);
            current = destination;
        }
        var cardinality = RunContainer.Cardinality(current, n);
        if (materialise)
        {
            container = Container.NewRun(n);
            Buffer.MemoryCopy(current, container.Runs, 4L * n, 4L * n);
            container.Length = n;
            container.Cardinality = cardinality;
            ContainerAlgebra.Normalize(ref container, considerRuns: true);
        }
        return cardinality;
    }

    // a ∪ b into dst (room for na + nb, no alias). When one side is much shorter (or too short for the vector
    // merge), each of its values gallops to its place in the longer one and the stretch before it is copied in
    // bulk: a merge would step (and mispredict) through every value of the long side.
    private static int UnionArrays(ushort* a, int na, ushort* b, int nb, ushort* dst)
    {
        if (na < nb)
        {
            (na, nb) = (nb, na);
            var swap = a;
            a = b;
            b = swap;
        }
        if (nb >= 8 && nb * SkewedUnionRatio > na)
        {
            return ArrayContainer.Union(a, na, b, nb, dst);
        }
        var i = 0;
        var k = 0;
        for (var j = 0; j < nb; j++)
        {
            var value = b[j];
            var at = ArrayContainer.Advance(a, na, i, value);
            Buffer.MemoryCopy(a + i, dst + k, 2L * (at - i), 2L * (at - i));
            k += at - i;
            i = at;
            if (i == na || a[i] != value)
            {
                dst[k++] = value;
            }
        }
        Buffer.MemoryCopy(a + i, dst + k, 2L * (na - i), 2L * (na - i));
        return k + na - i;
    }

    // The answer [first, last] as one run.
    private static int Full(int first, int last, bool materialise, out Container container)
    {
        container = materialise ? ContainerAlgebra.NewRange(first, last + 1) : default;
        return last - first + 1;
    }

    private readonly struct Combiner : IKeyGroupCombiner
    {
        public static int PairCount(in Container a, in Container b) =>
            a.Cardinality + b.Cardinality - ContainerAlgebra.AndCount(a, b);

        // Two arrays that fit in one merge here, the shorter galloping through the longer when far apart.
        public static Container Pair(in Container a, in Container b)
        {
            if (a.Kind != ContainerKind.Array || b.Kind != ContainerKind.Array || a.Length + b.Length > ContainerAlgebra.ArrayMax)
            {
                return ContainerAlgebra.Or(a, b);
            }
            var both = Container.NewArray(a.Length + b.Length);
            both.Length = both.Cardinality = UnionArrays(a.Values, a.Length, b.Values, b.Length, both.Values);
            return both;
        }

        public static int Key(ReadOnlySpan<Container> group, DirectScratch scratch, bool materialise, out Container container) =>
            UnionExecution.Key(group, scratch, materialise, out container);
    }
}
