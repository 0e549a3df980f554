using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Bitfuse.Query.Compilation;

namespace Bitfuse.Benchmarks.Suites;

/// <summary>
/// The <c>hand-fused</c> baseline of the <c>jitmap-*</c> cases: the loop jitmap's LLVM emits for an n-way AND,
/// written by hand for exactly n = 2, 4 or 8 at the widest accelerated width (the JIT folds the three-input ANDs
/// into <c>vpternlog</c>), two vectors per step, storing every word and optionally counting. Two ways to count:
/// the in-register nibble lookup (<see cref="KernelCounting"/>) and <c>popcnt</c> per 64-bit lane; a case keeps
/// the faster.
/// </summary>
public static unsafe class QueryHandFused
{
    /// <summary>ANDs <paramref name="inputs"/> (2, 4 or 8 of them, <paramref name="words"/> words each, a multiple of 16) into <paramref name="output"/>; returns the set bits when <paramref name="count"/>, else 0.</summary>
    public static long And(ulong*[] inputs, ulong* output, nint words, bool count, bool lookupCount)
    {
        fixed (ulong** p = inputs)
        {
            return inputs.Length switch
            {
                2 => And2(p, output, words, count, lookupCount),
                4 => And4(p, output, words, count, lookupCount),
                8 => And8(p, output, words, count, lookupCount),
                _ => throw new ArgumentException("2, 4 or 8 inputs", nameof(inputs)),
            };
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<ulong> Count(Vector512<ulong> counts, Vector512<ulong> value, bool lookup)
    {
        if (lookup)
        {
            return KernelCounting.Add(counts, value);
        }
        return counts + Vector512.Create(
            (ulong)BitOperations.PopCount(value.GetElement(0)), (ulong)BitOperations.PopCount(value.GetElement(1)),
            (ulong)BitOperations.PopCount(value.GetElement(2)), (ulong)BitOperations.PopCount(value.GetElement(3)),
            (ulong)BitOperations.PopCount(value.GetElement(4)), (ulong)BitOperations.PopCount(value.GetElement(5)),
            (ulong)BitOperations.PopCount(value.GetElement(6)), (ulong)BitOperations.PopCount(value.GetElement(7)));
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static long And2(ulong** p, ulong* output, nint words, bool count, bool lookup)
    {
        ulong* a = p[0], b = p[1];
        var counts = Vector512<ulong>.Zero;
        for (nint i = 0; i < words; i += 16)
        {
            var r0 = Vector512.Load(a + i) & Vector512.Load(b + i);
            var r1 = Vector512.Load(a + i + 8) & Vector512.Load(b + i + 8);
            r0.Store(output + i);
            r1.Store(output + i + 8);
            if (count)
            {
                counts = Count(Count(counts, r0, lookup), r1, lookup);
            }
        }
        return (long)Vector512.Sum(counts);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static long And4(ulong** p, ulong* output, nint words, bool count, bool lookup)
    {
        ulong* a = p[0], b = p[1], c = p[2], d = p[3];
        var counts = Vector512<ulong>.Zero;
        for (nint i = 0; i < words; i += 16)
        {
            var r0 = Vector512.Load(a + i) & Vector512.Load(b + i) & Vector512.Load(c + i) & Vector512.Load(d + i);
            var r1 = Vector512.Load(a + i + 8) & Vector512.Load(b + i + 8) & Vector512.Load(c + i + 8) & Vector512.Load(d + i + 8);
            r0.Store(output + i);
            r1.Store(output + i + 8);
            if (count)
            {
                counts = Count(Count(counts, r0, lookup), r1, lookup);
            }
        }
        return (long)Vector512.Sum(counts);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static long And8(ulong** p, ulong* output, nint words, bool count, bool lookup)
    {
        ulong* a = p[0], b = p[1], c = p[2], d = p[3], e = p[4], f = p[5], g = p[6], h = p[7];
        var counts = Vector512<ulong>.Zero;
        for (nint i = 0; i < words; i += 16)
        {
            var r0 = Vector512.Load(a + i) & Vector512.Load(b + i) & Vector512.Load(c + i) & Vector512.Load(d + i)
                & Vector512.Load(e + i) & Vector512.Load(f + i) & Vector512.Load(g + i) & Vector512.Load(h + i);
            var r1 = Vector512.Load(a + i + 8) & Vector512.Load(b + i + 8) & Vector512.Load(c + i + 8) & Vector512.Load(d + i + 8)
                & Vector512.Load(e + i + 8) & Vector512.Load(f + i + 8) & Vector512.Load(g + i + 8) & Vector512.Load(h + i + 8);
            r0.Store(output + i);
            r1.Store(output + i + 8);
            if (count)
            {
                counts = Count(Count(counts, r0, lookup), r1, lookup);
            }
        }
        return (long)Vector512.Sum(counts);
    }
}
