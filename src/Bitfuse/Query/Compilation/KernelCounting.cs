using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Bitfuse.Query.Compilation;

/// <summary>
/// Population counts that generated kernels call (the JIT inlines them into the dynamic method). A vector's
/// bits are counted in the vector registers with Muła's nibble lookup (<c>vpshufb</c>, then <c>vpsadbw</c> into
/// 64-bit lanes), so the running count stays a vector and is summed once at the end; without SSSE3/AVX2 the
/// count falls back to <c>popcnt</c> per 64-bit lane. Invariant: each lane of an accumulator holds a partial
/// count below 2^63, so the final sum cannot overflow for any input a process can map.
/// </summary>
internal static class KernelCounting
{
    /// <summary>True when <see cref="Add(Vector256{ulong}, Vector256{ulong})"/> uses the nibble lookup.</summary>
    public static bool Vector256Lookup => Avx2.IsSupported;

    /// <summary>Adds the set bits of <paramref name="value"/> to the 64-bit lanes of <paramref name="counts"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<ulong> Add(Vector256<ulong> counts, Vector256<ulong> value)
    {
        if (Avx2.IsSupported)
        {
            var lookup = Vector256.Create((byte)0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4, 0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4);
            var mask = Vector256.Create((byte)0x0F);
            var bytes = value.AsByte();
            var low = Avx2.Shuffle(lookup, bytes & mask);
            var high = Avx2.Shuffle(lookup, Avx2.ShiftRightLogical(value, 4).AsByte() & mask);
            return counts + Avx2.SumAbsoluteDifferences(low + high, Vector256<byte>.Zero).AsUInt64();
        }
        return counts + Vector256.Create(
            (ulong)BitOperations.PopCount(value.GetElement(0)), (ulong)BitOperations.PopCount(value.GetElement(1)),
            (ulong)BitOperations.PopCount(value.GetElement(2)), (ulong)BitOperations.PopCount(value.GetElement(3)));
    }

    /// <summary>Adds the set bits of <paramref name="value"/> to the 64-bit lanes of <paramref name="counts"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<ulong> Add(Vector128<ulong> counts, Vector128<ulong> value)
    {
        if (Ssse3.IsSupported)
        {
            var lookup = Vector128.Create((byte)0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4);
            var mask = Vector128.Create((byte)0x0F);
            var low = Ssse3.Shuffle(lookup, value.AsByte() & mask);
            var high = Ssse3.Shuffle(lookup, Sse2.ShiftRightLogical(value, 4).AsByte() & mask);
            return counts + Sse2.SumAbsoluteDifferences(low + high, Vector128<byte>.Zero).AsUInt64();
        }
        return counts + Vector128.Create((ulong)BitOperations.PopCount(value.GetElement(0)), (ulong)BitOperations.PopCount(value.GetElement(1)));
    }

    /// <summary>Adds the set bits of <paramref name="value"/> to the 64-bit lanes of <paramref name="counts"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<ulong> Add(Vector512<ulong> counts, Vector512<ulong> value)
    {
        if (Avx512BW.IsSupported)
        {
            var lookup = Vector512.Create((byte)0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4, 0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4,
                0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4, 0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4);
            var mask = Vector512.Create((byte)0x0F);
            var low = Avx512BW.Shuffle(lookup, value.AsByte() & mask);
            var high = Avx512BW.Shuffle(lookup, Avx512F.ShiftRightLogical(value, 4).AsByte() & mask);
            return counts + Avx512BW.SumAbsoluteDifferences(low + high, Vector512<byte>.Zero).AsUInt64();
        }
        return Vector512.Create(Add(counts.GetLower(), value.GetLower()), Add(counts.GetUpper(), value.GetUpper()));
    }

    /// <summary>Adds the set bits of <paramref name="value"/> to <paramref name="counts"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Add(ulong counts, ulong value) => counts + (ulong)BitOperations.PopCount(value);

    /// <summary>The total of an accumulator's lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long Sum(Vector256<ulong> counts) => (long)Vector256.Sum(counts);

    /// <summary>The total of an accumulator's lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long Sum(Vector128<ulong> counts) => (long)Vector128.Sum(counts);

    /// <summary>The total of an accumulator's lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long Sum(Vector512<ulong> counts) => (long)Vector512.Sum(counts);

    /// <summary>The total of a scalar accumulator.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long Sum(ulong counts) => (long)counts;
}
