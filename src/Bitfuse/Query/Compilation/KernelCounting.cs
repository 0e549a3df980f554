using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

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
    /// <summary>Adds the set bits of <paramref name="value"/> to the 64-bit lanes of <paramref name="counts"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<ulong> Add(Vector256<ulong> counts, Vector256<ulong> value) =>
        Add<CountWidth256, Vector256<ulong>, Vector256<byte>>(counts, value, CountWidth256.Lookup, CountWidth256.LowNibbles);

    /// <summary>Adds the set bits of <paramref name="value"/> to the 64-bit lanes of <paramref name="counts"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<ulong> Add(Vector512<ulong> counts, Vector512<ulong> value) =>
        Add<CountWidth512, Vector512<ulong>, Vector512<byte>>(counts, value, CountWidth512.Lookup, CountWidth512.LowNibbles);

    /// <summary>Adds the set bits of <paramref name="value"/> to the 64-bit lanes of <paramref name="counts"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVector Add<TWidth, TVector, TBytes>(TVector counts, TVector value)
        where TWidth : struct, ICountWidth<TVector, TBytes>
        where TVector : struct
        where TBytes : struct => Add<TWidth, TVector, TBytes>(counts, value, TWidth.Lookup, TWidth.LowNibbles);

    /// <summary>The nibble lookup table of <see cref="Add{TWidth, TVector, TBytes}(TVector, TVector, TBytes, TBytes)"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TBytes Lookup<TWidth, TVector, TBytes>()
        where TWidth : struct, ICountWidth<TVector, TBytes>
        where TVector : struct
        where TBytes : struct => TWidth.Lookup;

    /// <summary>0x0F in every byte.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TBytes LowNibbles<TWidth, TVector, TBytes>()
        where TWidth : struct, ICountWidth<TVector, TBytes>
        where TVector : struct
        where TBytes : struct => TWidth.LowNibbles;

    /// <summary>
    /// <see cref="Add{TWidth, TVector, TBytes}(TVector, TVector)"/> with its constants passed in (<see cref="Lookup"/>,
    /// <see cref="LowNibbles"/>): a kernel keeps them in registers across its loop instead of reloading them per step.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVector Add<TWidth, TVector, TBytes>(TVector counts, TVector value, TBytes lookup, TBytes mask)
        where TWidth : struct, ICountWidth<TVector, TBytes>
        where TVector : struct
        where TBytes : struct
    {
        if (TWidth.HasByteShuffle)
        {
            var low = TWidth.Shuffle(lookup, TWidth.LowNibblesOf(value, mask));
            var high = TWidth.Shuffle(lookup, TWidth.HighNibblesOf(value, mask));
            return TWidth.AddLanes(counts, TWidth.SumBytes(TWidth.AddBytes(low, high)));
        }
        return TWidth.AddWithoutShuffle(counts, value, lookup, mask);
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
