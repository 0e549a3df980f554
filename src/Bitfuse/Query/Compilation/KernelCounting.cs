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
    public static Vector256<ulong> Add(Vector256<ulong> counts, Vector256<ulong> value) => Add(counts, value, Lookup256(), LowNibbles256());

    /// <summary>The nibble lookup table of <see cref="Add(Vector256{ulong}, Vector256{ulong}, Vector256{byte}, Vector256{byte})"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<byte> Lookup256() =>
        Vector256.Create((byte)0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4, 0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4);

    /// <summary>0x0F in every byte.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<byte> LowNibbles256() => Vector256.Create((byte)0x0F);

    /// <summary>
    /// <see cref="Add(Vector256{ulong}, Vector256{ulong})"/> with its constants passed in (<see cref="Lookup256"/>,
    /// <see cref="LowNibbles256"/>): a kernel keeps them in registers across its loop instead of reloading them per step.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<ulong> Add(Vector256<ulong> counts, Vector256<ulong> value, Vector256<byte> lookup, Vector256<byte> mask)
    {
        if (Avx2.IsSupported)
        {
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
    public static Vector128<ulong> Add(Vector128<ulong> counts, Vector128<ulong> value) => Add(counts, value, Lookup128(), LowNibbles128());

    /// <summary>The nibble lookup table of <see cref="Add(Vector128{ulong}, Vector128{ulong}, Vector128{byte}, Vector128{byte})"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> Lookup128() => Vector128.Create((byte)0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4);

    /// <summary>0x0F in every byte.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> LowNibbles128() => Vector128.Create((byte)0x0F);

    /// <summary><see cref="Add(Vector128{ulong}, Vector128{ulong})"/> with its constants passed in, as for 256 bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<ulong> Add(Vector128<ulong> counts, Vector128<ulong> value, Vector128<byte> lookup, Vector128<byte> mask)
    {
        if (Ssse3.IsSupported)
        {
            var low = Ssse3.Shuffle(lookup, value.AsByte() & mask);
            var high = Ssse3.Shuffle(lookup, Sse2.ShiftRightLogical(value, 4).AsByte() & mask);
            return counts + Sse2.SumAbsoluteDifferences(low + high, Vector128<byte>.Zero).AsUInt64();
        }
        return counts + Vector128.Create((ulong)BitOperations.PopCount(value.GetElement(0)), (ulong)BitOperations.PopCount(value.GetElement(1)));
    }

    /// <summary>Adds the set bits of <paramref name="value"/> to the 64-bit lanes of <paramref name="counts"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<ulong> Add(Vector512<ulong> counts, Vector512<ulong> value) => Add(counts, value, Lookup512(), LowNibbles512());

    /// <summary>The nibble lookup table of <see cref="Add(Vector512{ulong}, Vector512{ulong}, Vector512{byte}, Vector512{byte})"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<byte> Lookup512() =>
        Vector512.Create((byte)0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4, 0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4,
            0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4, 0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4);

    /// <summary>0x0F in every byte.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<byte> LowNibbles512() => Vector512.Create((byte)0x0F);

    /// <summary><see cref="Add(Vector512{ulong}, Vector512{ulong})"/> with its constants passed in, as for 256 bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<ulong> Add(Vector512<ulong> counts, Vector512<ulong> value, Vector512<byte> lookup, Vector512<byte> mask)
    {
        if (Avx512BW.IsSupported)
        {
            var low = Avx512BW.Shuffle(lookup, value.AsByte() & mask);
            var high = Avx512BW.Shuffle(lookup, Avx512F.ShiftRightLogical(value, 4).AsByte() & mask);
            return counts + Avx512BW.SumAbsoluteDifferences(low + high, Vector512<byte>.Zero).AsUInt64();
        }
        return Vector512.Create(Add(counts.GetLower(), value.GetLower(), lookup.GetLower(), mask.GetLower()),
            Add(counts.GetUpper(), value.GetUpper(), lookup.GetUpper(), mask.GetUpper()));
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
