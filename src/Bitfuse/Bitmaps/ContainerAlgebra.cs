using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Bitfuse.Bitmaps;

/// <summary>
/// Pairwise set operations on containers, dispatched on the two kinds. Every operation reads its inputs
/// (owned or borrowed, never modified) and returns a new owned container of the smallest legal kind, or an
/// empty descriptor when the result has no values.
/// Kind rules (Roaring): a result of at most 4096 values is an array, otherwise a bitset; when an input was
/// a run container the result becomes a run container if that is smaller (<see cref="Normalize"/>), so run
/// data stays run-encoded through operations. <see cref="Optimize"/> applies CRoaring's exact
/// run-optimize thresholds so that optimized bitmaps serialize byte for byte like CRoaring's.
/// </summary>
internal static unsafe class ContainerAlgebra
{
    /// <summary>The most values an array container holds.</summary>
    public const int ArrayMax = 4096;

    /// <summary>a ∩ b.</summary>
    public static Container And(in Container a, in Container b)
    {
        var ka = a.Kind;
        var kb = b.Kind;
        if (ka == ContainerKind.Array)
        {
            return kb switch
            {
                ContainerKind.Array => AndArrays(a, b),
                ContainerKind.Bitset => FilterArray(a, b.Words),
                _ => AndArrayRun(a, b),
            };
        }
        if (kb == ContainerKind.Array)
        {
            return ka == ContainerKind.Bitset ? FilterArray(b, a.Words) : AndArrayRun(b, a);
        }
        if (ka == ContainerKind.Bitset && kb == ContainerKind.Bitset)
        {
            return CombineBitsets<AndWords>(a.Words, b.Words, LikelyBitset((long)a.Cardinality * b.Cardinality >> 16));
        }
        if (ka == ContainerKind.Run && kb == ContainerKind.Run)
        {
            return AndRuns(a, b);
        }
        // Run ∩ bitset.
        var (run, bits) = ka == ContainerKind.Run ? (a, b) : (b, a);
        if (IsFull(run))
        {
            return bits.Clone();
        }
        var result = Container.NewBitset(clear: false);
        Unsafe.CopyBlockUnaligned(result.Data, bits.Data, 8192);
        var prevEnd = 0;
        for (var i = 0; i < run.Length; i++)
        {
            int s = run.Runs[2 * i];
            BitsetContainer.ClearRange(result.Words, prevEnd, s);
            prevEnd = s + run.Runs[2 * i + 1] + 1;
        }
        BitsetContainer.ClearRange(result.Words, prevEnd, 65536);
        return SettledBitset(ref result, considerRuns: true);
    }

    /// <summary>a ∪ b.</summary>
    [SkipLocalsInit]
    public static Container Or(in Container a, in Container b)
    {
        var ka = a.Kind;
        var kb = b.Kind;
        if (ka == ContainerKind.Array && kb == ContainerKind.Array)
        {
            if (a.Length + b.Length <= ArrayMax)
            {
                var r = Container.NewArray(a.Length + b.Length);
                r.Length = r.Cardinality = ArrayContainer.Union(a.Values, a.Length, b.Values, b.Length, r.Values);
                return r;
            }
            var bits = Container.NewBitset(clear: true);
            BitsetContainer.SetValues(bits.Words, a.Values, a.Length);
            BitsetContainer.SetValues(bits.Words, b.Values, b.Length);
            return SettledBitset(ref bits, considerRuns: false);
        }
        if (ka == ContainerKind.Bitset && kb == ContainerKind.Bitset)
        {
            var r = Container.NewBitset(clear: false);
            r.Cardinality = BitsetContainer.Or(a.Words, b.Words, r.Words);
            return r;
        }
        if (ka != ContainerKind.Run && kb != ContainerKind.Run)
        {
            var (arr, bs) = ka == ContainerKind.Array ? (a, b) : (b, a);
            var r = bs.Clone();
            r.Cardinality += AddValues(r.Words, arr.Values, arr.Length);
            return r;
        }
        if (ka == ContainerKind.Run && kb == ContainerKind.Run)
        {
            return MergeRuns<UnionRuns>(a.Runs, a.Length, b.Runs, b.Length);
        }
        var (run, other) = ka == ContainerKind.Run ? (a, b) : (b, a);
        if (IsFull(run))
        {
            return run.Clone();
        }
        if (other.Kind == ContainerKind.Array && TryMergeRunsWithArray<UnionRuns>(run, other, out var merged))
        {
            return merged;
        }
        var result = Container.NewBitset(clear: false);
        other.CopyToBitset(result.Words);
        run.OrInto(result.Words);
        return SettledBitset(ref result, considerRuns: true);
    }

    /// <summary>a ⊕ b.</summary>
    [SkipLocalsInit]
    public static Container Xor(in Container a, in Container b)
    {
        var ka = a.Kind;
        var kb = b.Kind;
        if (ka == ContainerKind.Array && kb == ContainerKind.Array && a.Length + b.Length > ArrayMax)
        {
            return XorLargeArrays(a, b);
        }
        if (ka == ContainerKind.Array && kb == ContainerKind.Array)
        {
            var r = Container.NewArray(a.Length + b.Length);
            return SettledArray(ref r, ArrayContainer.SymmetricDifference(a.Values, a.Length, b.Values, b.Length, r.Values));
        }
        if (ka == ContainerKind.Bitset && kb == ContainerKind.Bitset)
        {
            return CombineBitsets<XorWords>(a.Words, b.Words, LikelyBitset(a.Cardinality + b.Cardinality - ((long)a.Cardinality * b.Cardinality >> 15)));
        }
        if (ka == ContainerKind.Array && kb == ContainerKind.Bitset || ka == ContainerKind.Bitset && kb == ContainerKind.Array)
        {
            var (array, bitset) = ka == ContainerKind.Array ? (a, b) : (b, a);
            return ChangeBitset<XorWords>(bitset, array);
        }
        if (ka == ContainerKind.Run && kb == ContainerKind.Run)
        {
            return MergeRuns<XorRuns>(a.Runs, a.Length, b.Runs, b.Length);
        }
        if (ka == ContainerKind.Array || kb == ContainerKind.Array)
        {
            var (run, arr) = ka == ContainerKind.Run ? (a, b) : (b, a);
            if (TryMergeRunsWithArray<XorRuns>(run, arr, out var merged))
            {
                return merged;
            }
        }
        var result = Container.NewBitset(clear: false);
        a.CopyToBitset(result.Words);
        // The flips report how the count changes, so only a bitset operand needs a counting pass.
        result.Cardinality = kb == ContainerKind.Bitset
            ? BitsetContainer.Xor(result.Words, b.Words, result.Words)
            : a.Cardinality + FlipInto(result.Words, b);
        Normalize(ref result, considerRuns: ka == ContainerKind.Run || kb == ContainerKind.Run);
        return result;
    }

    /// <summary>a \ b.</summary>
    [SkipLocalsInit]
    public static Container AndNot(in Container a, in Container b)
    {
        var ka = a.Kind;
        var kb = b.Kind;
        if (ka == ContainerKind.Array)
        {
            switch (kb)
            {
                case ContainerKind.Array:
                    {
                        var r = Container.NewArray(a.Length);
                        return SettledArray(ref r, ArrayContainer.Difference(a.Values, a.Length, b.Values, b.Length, r.Values));
                    }
                case ContainerKind.Bitset:
                    {
                        // Like a \ b of arrays, written straight into a payload of a's size: a difference usually
                        // keeps most of a, so a stack buffer would only add a copy.
                        var r = Container.NewArray(a.Length);
                        return SettledArray(ref r, BitsetContainer.FilterOut(b.Words, a.Values, a.Length, r.Values));
                    }
                default:
                    {
                        var r = Container.NewArray(a.Length);
                        return SettledArray(ref r, RunContainer.FilterOut(b.Runs, b.Length, a.Values, a.Length, r.Values));
                    }
            }
        }
        if (ka == ContainerKind.Bitset && kb == ContainerKind.Bitset)
        {
            return CombineBitsets<AndNotWords>(a.Words, b.Words, LikelyBitset((long)a.Cardinality * (65536 - b.Cardinality) >> 16));
        }
        if (ka == ContainerKind.Bitset && kb == ContainerKind.Array)
        {
            return ChangeBitset<AndNotWords>(a, b);
        }
        if (ka == ContainerKind.Run && kb == ContainerKind.Run)
        {
            return MergeRuns<DifferenceRuns>(a.Runs, a.Length, b.Runs, b.Length);
        }
        if (ka == ContainerKind.Run && kb == ContainerKind.Array && TryMergeRunsWithArray<DifferenceRuns>(a, b, out var merged))
        {
            return merged;
        }
        var result = Container.NewBitset(clear: false);
        a.CopyToBitset(result.Words);
        // Clearing reports how many values left, so only a bitset operand needs a counting pass.
        switch (kb)
        {
            case ContainerKind.Array:
                result.Cardinality = a.Cardinality + BitsetContainer.ChangeValues<AndNotWords>(result.Words, b.Values, b.Length);
                break;
            case ContainerKind.Bitset:
                result.Cardinality = BitsetContainer.AndNot(result.Words, b.Words, result.Words);
                break;
            default:
                var cleared = 0;
                for (var i = 0; i < b.Length; i++)
                {
                    int s = b.Runs[2 * i];
                    cleared += BitsetContainer.ClearRange(result.Words, s, s + b.Runs[2 * i + 1] + 1);
                }
                result.Cardinality = a.Cardinality - cleared;
                break;
        }
        Normalize(ref result, considerRuns: ka == ContainerKind.Run);
        return result;
    }

    /// <summary>|a ∩ b| without building anything.</summary>
    public static int AndCount(in Container a, in Container b)
    {
        var ka = a.Kind;
        var kb = b.Kind;
        if (ka == ContainerKind.Array)
        {
            return kb switch
            {
                ContainerKind.Array => ArrayContainer.IntersectCount(a.Values, a.Length, b.Values, b.Length),
                ContainerKind.Bitset => BitsetContainer.CountIn(b.Words, a.Values, a.Length),
                _ => RunContainer.CountIn(b.Runs, b.Length, a.Values, a.Length),
            };
        }
        if (ka == ContainerKind.Bitset)
        {
            return kb switch
            {
                ContainerKind.Array => BitsetContainer.CountIn(a.Words, b.Values, b.Length),
                ContainerKind.Bitset => BitsetContainer.AndCount(a.Words, b.Words),
                _ => RunContainer.CountIn(b.Runs, b.Length, a.Words),
            };
        }
        return kb switch
        {
            ContainerKind.Array => RunContainer.CountIn(a.Runs, a.Length, b.Values, b.Length),
            ContainerKind.Bitset => RunContainer.CountIn(a.Runs, a.Length, b.Words),
            _ => RunContainer.IntersectCount(a.Runs, a.Length, b.Runs, b.Length),
        };
    }

    /// <summary>|c ∩ bits| for an 8 KiB bitset: wide popcounts of the AND, gathered probes of an array, word masks over each run.</summary>
    public static int AndCountBitset(in Container c, ulong* bits) => c.Kind switch
    {
        ContainerKind.Array => BitsetContainer.CountIn(bits, c.Values, c.Length),
        ContainerKind.Bitset => BitsetContainer.AndCount(c.Words, bits),
        _ => RunContainer.CountIn(c.Runs, c.Length, bits),
    };

    /// <summary>True when a and b share a value.</summary>
    public static bool Intersects(in Container a, in Container b)
    {
        if (a.Kind == ContainerKind.Array && b.Kind == ContainerKind.Array)
        {
            return ArrayContainer.Intersects(a.Values, a.Length, b.Values, b.Length);
        }
        if (a.Kind == ContainerKind.Bitset && b.Kind == ContainerKind.Bitset)
        {
            return BitsetContainer.Intersects(a.Words, b.Words);
        }
        return AndCount(a, b) > 0;
    }

    /// <summary>True when both hold the same values (kinds may differ).</summary>
    public static bool ValueEquals(in Container a, in Container b)
    {
        if (a.Cardinality != b.Cardinality)
        {
            return false;
        }
        if (a.Kind == b.Kind)
        {
            var bytes = a.Kind == ContainerKind.Bitset ? 8192 : a.Kind == ContainerKind.Array ? 2 * a.Length : 4 * a.Length;
            return new ReadOnlySpan<byte>(a.Data, bytes).SequenceEqual(new ReadOnlySpan<byte>(b.Data, bytes));
        }
        return AndCount(a, b) == a.Cardinality;
    }

    /// <summary>
    /// A new owned container holding the bits of an 8 KiB buffer, of the best kind for them (array or
    /// bitset, or run when <paramref name="considerRuns"/> and smaller). <paramref name="cardinality"/> may be
    /// -1 to count here. Empty descriptor when no bit is set.
    /// </summary>
    public static Container FromBitset(ulong* words, int cardinality = -1, bool considerRuns = false)
    {
        if (cardinality < 0)
        {
            cardinality = BitsetContainer.Cardinality(words);
        }
        if (cardinality == 0)
        {
            return default;
        }
        Container c;
        if (cardinality <= ArrayMax)
        {
            c = Container.NewArray(cardinality);
            c.Length = BitsetContainer.ToArray(words, c.Values, cardinality);
        }
        else
        {
            c = Container.NewBitset(clear: false);
            Unsafe.CopyBlockUnaligned(c.Data, words, 8192);
        }
        c.Cardinality = cardinality;
        if (considerRuns)
        {
            Normalize(ref c, considerRuns: true);
        }
        return c;
    }

    /// <summary>
    /// Puts an owned container with a correct <see cref="Container.Cardinality"/> into its legal kind:
    /// empty → freed; bitset of ≤ 4096 → array; run that is not smallest → array/bitset; and, when
    /// <paramref name="considerRuns"/>, array/bitset → run when that is smaller.
    /// </summary>
    public static void Normalize(ref Container c, bool considerRuns)
    {
        if (c.Cardinality == 0)
        {
            c.Free();
            return;
        }
        if (c.Kind == ContainerKind.Run)
        {
            if (!RunIsSmallest(c.Length, c.Cardinality))
            {
                ConvertRunToPlain(ref c);
            }
            return;
        }
        if (c.Kind == ContainerKind.Bitset && c.Cardinality <= ArrayMax)
        {
            var array = Container.NewArray(c.Cardinality);
            array.Length = array.Cardinality = BitsetContainer.ToArray(c.Words, array.Values, c.Cardinality);
            c.Free();
            c = array;
        }
        if (considerRuns)
        {
            Optimize(ref c);
        }
    }

    /// <summary>
    /// CRoaring's run-optimize rule: converts an owned container to or from run form where that is smaller,
    /// comparing 2 + 4 × runs bytes with 2 × cardinality (array) or 8192 (bitset); ties keep the current kind.
    /// </summary>
    public static void Optimize(ref Container c)
    {
        switch (c.Kind)
        {
            case ContainerKind.Array:
                {
                    var runs = ArrayContainer.CountRuns(c.Values, c.Length);
                    if (2 + 4 * runs < 2 * c.Cardinality)
                    {
                        var r = Container.NewRun(runs);
                        r.Length = RunContainer.FromArray(c.Values, c.Length, r.Runs);
                        r.Cardinality = c.Cardinality;
                        c.Free();
                        c = r;
                    }
                    break;
                }
            case ContainerKind.Bitset:
                {
                    var runs = BitsetContainer.CountRuns(c.Words);
                    if (2 + 4 * runs < 8192)
                    {
                        var r = Container.NewRun(runs);
                        r.Length = BitsetContainer.ToRuns(c.Words, r.Runs);
                        r.Cardinality = c.Cardinality;
                        c.Free();
                        c = r;
                    }
                    break;
                }
            default:
                if (!RunIsSmallest(c.Length, c.Cardinality))
                {
                    ConvertRunToPlain(ref c);
                }
                else if (c.Owned && ContainerMemory.RoundUp(4 * c.Length) < c.CapacityBytes)
                {
                    var trimmed = c.Clone();
                    c.Free();
                    c = trimmed;
                }
                break;
        }
    }

    /// <summary>True when a run container of <paramref name="runs"/> runs is no larger than the array or bitset alternative.</summary>
    public static bool RunIsSmallest(int runs, int cardinality) =>
        2 + 4 * runs <= Math.Min(8192, 2 * cardinality);

    /// <summary>Replaces an owned or borrowed run container by its array or bitset form (owned).</summary>
    public static void ConvertRunToPlain(ref Container c)
    {
        Container plain;
        if (c.Cardinality <= ArrayMax)
        {
            plain = Container.NewArray(c.Cardinality);
            plain.Length = RunContainer.ToArray(c.Runs, c.Length, plain.Values);
        }
        else
        {
            plain = Container.NewBitset(clear: true);
            c.OrInto(plain.Words);
        }
        plain.Cardinality = c.Cardinality;
        c.Free();
        c = plain;
    }

    /// <summary>A new owned run container holding [start, end) (0 &lt;= start &lt; end &lt;= 65536).</summary>
    public static Container NewRange(int start, int end)
    {
        var r = Container.NewRun(1);
        r.Runs[0] = (ushort)start;
        r.Runs[1] = (ushort)(end - start - 1);
        r.Length = 1;
        r.Cardinality = end - start;
        return r;
    }

    /// <summary>True for a run container covering all 65536 values.</summary>
    public static bool IsFull(in Container c) => c.Cardinality == 65536;

    // The intersections of arrays (with arrays, bitsets and runs) and of short run lists are built in a stack buffer
    // of at most 8 KiB, then copied into a payload of their own size: on sparse data most of them are empty, and an
    // empty one then costs no allocation at all.

    /// <summary>Run lists up to this many runs in total are intersected in a stack buffer (8 KiB).</summary>
    private const int ScratchRuns = 2048;

    [SkipLocalsInit]
    private static Container AndArrays(in Container a, in Container b)
    {
        var scratch = stackalloc ushort[Math.Min(a.Length, b.Length) + ArrayContainer.IntersectSlack];
        return Container.ArrayOf(scratch, ArrayContainer.Intersect(a.Values, a.Length, b.Values, b.Length, scratch));
    }

    [SkipLocalsInit]
    private static Container AndArrayRun(in Container array, in Container run)
    {
        var scratch = stackalloc ushort[array.Length];
        return Container.ArrayOf(scratch, RunContainer.FilterIn(run.Runs, run.Length, array.Values, array.Length, scratch));
    }

    [SkipLocalsInit]
    private static Container FilterArray(in Container array, ulong* words)
    {
        var scratch = stackalloc ushort[array.Length];
        return Container.ArrayOf(scratch, BitsetContainer.FilterIn(words, array.Values, array.Length, scratch));
    }

    private static Container AndRuns(in Container a, in Container b) => MergeRuns<IntersectRuns>(a.Runs, a.Length, b.Runs, b.Length);

    /// <summary>
    /// The result of an operation on run lists in its smallest kind. When <see cref="IRunMerge.Shrinks"/> (an
    /// intersection or difference), up to <see cref="ScratchRuns"/> runs in total are merged in a stack buffer,
    /// counted there and copied once into a payload of their own size and kind: on sparse data many of these results
    /// are empty (nothing is allocated) or short, and none allocates a payload sized for na + nb runs. Other results
    /// are merged straight into a payload of na + nb runs.
    /// </summary>
    [SkipLocalsInit]
    private static Container MergeRuns<TMerge>(ushort* a, int na, ushort* b, int nb)
        where TMerge : struct, IRunMerge
    {
        if (!TMerge.Shrinks || na + nb > ScratchRuns)
        {
            var r = Container.NewRun(na + nb);
            r.Length = TMerge.Merge(a, na, b, nb, r.Runs);
            return SettledRuns(ref r);
        }
        var scratch = stackalloc ushort[2 * ScratchRuns];
        var n = TMerge.Merge(a, na, b, nb, scratch);
        if (n == 0)
        {
            return default;
        }
        // Borrowed (not Owned): converting it leaves the stack buffer alone.
        var merged = new Container { Data = scratch, Kind = ContainerKind.Run, Length = n, Cardinality = RunContainer.Cardinality(scratch, n) };
        if (!RunIsSmallest(n, merged.Cardinality))
        {
            ConvertRunToPlain(ref merged);
            return merged;
        }
        var result = Container.RunsOf(scratch, n);
        result.Cardinality = merged.Cardinality;
        return result;
    }

    /// <summary>
    /// <paramref name="run"/> <typeparamref name="TMerge"/> <paramref name="array"/> merged as run lists (the array's
    /// values as runs of their own) when <see cref="RunMergeIsCheaper"/>; false, with nothing built, when the caller
    /// should combine them through a bitset instead.
    /// </summary>
    [SkipLocalsInit]
    private static bool TryMergeRunsWithArray<TMerge>(in Container run, in Container array, out Container result)
        where TMerge : struct, IRunMerge
    {
        ushort* runs = stackalloc ushort[2 * ArrayMax];
        var n = RunContainer.FromArray(array.Values, array.Length, runs);
        if (!RunMergeIsCheaper(run.Length, n))
        {
            result = default;
            return false;
        }
        result = MergeRuns<TMerge>(run.Runs, run.Length, runs, n);
        return true;
    }

    /// <summary>
    /// a <typeparamref name="TOp"/> b of two bitsets: counts first (no store), then writes an array straight from
    /// the words when the result is small, so a sparse result never touches an 8 KiB block. When
    /// <paramref name="likelyBitset"/>, it writes the bitset at once (the pass that writes it also counts) and
    /// converts it if it came out small.
    /// </summary>
    private static Container CombineBitsets<TOp>(ulong* a, ulong* b, bool likelyBitset)
        where TOp : struct, IWordOperation
    {
        if (likelyBitset)
        {
            var dense = Container.NewBitset(clear: false);
            dense.Cardinality = BitsetContainer.Combine<TOp>(a, b, dense.Words);
            Normalize(ref dense, considerRuns: false);
            return dense;
        }
        var count = BitsetContainer.CombineCount<TOp>(a, b);
        if (count == 0)
        {
            return default;
        }
        if (count <= ArrayMax)
        {
            var r = Container.NewArray(count);
            r.Length = r.Cardinality = BitsetContainer.ToArray<TOp>(a, b, r.Values, count);
            return r;
        }
        var result = Container.NewBitset(clear: false);
        result.Cardinality = BitsetContainer.Combine<TOp>(a, b, result.Words);
        return result;
    }

    /// <summary>
    /// a ⊕ b of two arrays whose lengths add up to more than <see cref="ArrayMax"/>: sets and flips the values
    /// in a stack bitset (hot in cache, no popcount: the flips report the change), then allocates only the
    /// kind the result needs.
    /// </summary>
    [SkipLocalsInit]
    private static Container XorLargeArrays(in Container a, in Container b)
    {
        ulong* scratch = stackalloc ulong[BitsetContainer.Words];
        NativeMemory.Clear(scratch, 8192);
        BitsetContainer.SetValues(scratch, a.Values, a.Length);
        var cardinality = a.Length + FlipValues(scratch, b.Values, b.Length);
        return FromBitset(scratch, cardinality);
    }

    /// <summary>
    /// A bitset changed by an array's values with <typeparamref name="TOp"/> (flipped for a ⊕, cleared for a \). When
    /// fewer values may leave than would take the result down to <see cref="ArrayMax"/>, it changes a copy in place;
    /// otherwise it changes a stack copy, whose change in cardinality says whether the result is an array (written
    /// from the copy, never taking an 8 KiB block) or a bitset (copied out once).
    /// </summary>
    [SkipLocalsInit]
    private static Container ChangeBitset<TOp>(in Container bitset, in Container array)
        where TOp : struct, IWordOperation
    {
        if (bitset.Cardinality - array.Length > ArrayMax)
        {
            var r = bitset.Clone();
            r.Cardinality += BitsetContainer.ChangeValues<TOp>(r.Words, array.Values, array.Length);
            return r;
        }
        ulong* scratch = stackalloc ulong[BitsetContainer.Words];
        Unsafe.CopyBlockUnaligned(scratch, bitset.Data, 8192);
        var cardinality = bitset.Cardinality + BitsetContainer.ChangeValues<TOp>(scratch, array.Values, array.Length);
        return FromBitset(scratch, cardinality);
    }

    /// <summary>
    /// True when a bitset operation whose result would hold <paramref name="expected"/> values if the operands' bits
    /// were independent is likely to give a bitset: then counting first would be a wasted pass over both inputs.
    /// </summary>
    private static bool LikelyBitset(long expected) => expected > 2 * ArrayMax;

    /// <summary>Sets the listed values; returns how many were new.</summary>
    public static int AddValues(ulong* words, ushort* values, int n) => BitsetContainer.ChangeValues<OrWords>(words, values, n);

    /// <summary>Flips the listed values; returns the change in cardinality.</summary>
    public static int FlipValues(ulong* words, ushort* values, int n) => BitsetContainer.ChangeValues<XorWords>(words, values, n);

    /// <summary>Flips the values of an array or run container <paramref name="b"/>; returns the change in cardinality.</summary>
    private static int FlipInto(ulong* words, in Container b)
    {
        if (b.Kind == ContainerKind.Array)
        {
            return FlipValues(words, b.Values, b.Length);
        }
        var delta = 0;
        for (var i = 0; i < b.Length; i++)
        {
            int s = b.Runs[2 * i];
            delta += BitsetContainer.FlipRange(words, s, s + b.Runs[2 * i + 1] + 1);
        }
        return delta;
    }

    /// <summary>
    /// Whether a run container of <paramref name="runs"/> runs and an array that forms <paramref name="arrayRuns"/>
    /// runs combine faster as run lists than through a bitset. The merge costs a step per run of both lists; the
    /// bitset path a fixed ~2 µs (fill, combine, count and convert back 8 KiB) plus a step per array value. Measured
    /// (AVX-512 host, or of 20 runs with 100 to 2,000 scattered values): 2.6 ns per run against 2 µs + 1.6 ns per
    /// value, even near 2,000 runs, which is also where a run list stops being smaller than a bitset (8 KiB).
    /// </summary>
    private static bool RunMergeIsCheaper(int runs, int arrayRuns) => runs + arrayRuns < 2048;

    /// <summary>Sets an array result's length and cardinality; frees it when empty.</summary>
    private static Container SettledArray(ref Container r, int length)
    {
        r.Length = r.Cardinality = length;
        if (length == 0)
        {
            r.Free();
        }
        return r;
    }

    /// <summary>Counts a bitset result and gives it its smallest kind.</summary>
    private static Container SettledBitset(ref Container r, bool considerRuns)
    {
        r.Cardinality = BitsetContainer.Cardinality(r.Words);
        Normalize(ref r, considerRuns);
        return r;
    }

    /// <summary>Counts a run result and gives it its smallest kind.</summary>
    private static Container SettledRuns(ref Container r)
    {
        r.Cardinality = r.Length == 0 ? 0 : RunContainer.Cardinality(r.Runs, r.Length);
        Normalize(ref r, considerRuns: true);
        return r;
    }
}
