using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Bitfuse.Query.Compilation;

/// <summary>
/// The instructions of <see cref="KernelCounting"/>'s nibble-lookup population count at one vector width, so that
/// one body serves 128, 256 and 512 bits: a kernel names the width as a struct type argument and the JIT compiles
/// the body once per width with each member inlined to the instruction it names.
/// </summary>
/// <typeparam name="TVector">The vector of 64-bit lanes.</typeparam>
/// <typeparam name="TBytes">The same vector seen as bytes.</typeparam>
internal interface ICountWidth<TVector, TBytes>
    where TVector : struct
    where TBytes : struct
{
    /// <summary>True when the width has the in-lane byte shuffle (<c>pshufb</c>) and byte sums (<c>psadbw</c>).</summary>
    static abstract bool HasByteShuffle { get; }

    /// <summary>The population counts of the 16 nibble values, in every 128-bit lane.</summary>
    static abstract TBytes Lookup { get; }

    /// <summary>0x0F in every byte.</summary>
    static abstract TBytes LowNibbles { get; }

    /// <summary>Each byte of <paramref name="indices"/> (0..15) replaced by that entry of its 128-bit lane of <paramref name="table"/>.</summary>
    static abstract TBytes Shuffle(TBytes table, TBytes indices);

    /// <summary>The low nibble of each byte of <paramref name="value"/>.</summary>
    static abstract TBytes LowNibblesOf(TVector value, TBytes mask);

    /// <summary>The high nibble of each byte of <paramref name="value"/>, shifted down.</summary>
    static abstract TBytes HighNibblesOf(TVector value, TBytes mask);

    static abstract TBytes AddBytes(TBytes left, TBytes right);

    /// <summary>The sum of each 64-bit lane's eight bytes, in that lane.</summary>
    static abstract TVector SumBytes(TBytes bytes);

    static abstract TVector AddLanes(TVector left, TVector right);

    /// <summary>counts plus the set bits of each lane, without <see cref="HasByteShuffle"/>.</summary>
    static abstract TVector AddWithoutShuffle(TVector counts, TVector value, TBytes lookup, TBytes mask);
}

/// <summary>128 bits (SSSE3).</summary>
internal readonly struct CountWidth128 : ICountWidth<Vector128<ulong>, Vector128<byte>>
{
    public static bool HasByteShuffle => Ssse3.IsSupported;

    public static Vector128<byte> Lookup
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Vector128.Create((byte)0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4);
    }

    public static Vector128<byte> LowNibbles
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Vector128.Create((byte)0x0F);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> Shuffle(Vector128<byte> table, Vector128<byte> indices) => Ssse3.Shuffle(table, indices);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> LowNibblesOf(Vector128<ulong> value, Vector128<byte> mask) => value.AsByte() & mask;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> HighNibblesOf(Vector128<ulong> value, Vector128<byte> mask) => Sse2.ShiftRightLogical(value, 4).AsByte() & mask;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> AddBytes(Vector128<byte> left, Vector128<byte> right) => left + right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<ulong> SumBytes(Vector128<byte> bytes) => Sse2.SumAbsoluteDifferences(bytes, Vector128<byte>.Zero).AsUInt64();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<ulong> AddLanes(Vector128<ulong> left, Vector128<ulong> right) => left + right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<ulong> AddWithoutShuffle(Vector128<ulong> counts, Vector128<ulong> value, Vector128<byte> lookup, Vector128<byte> mask) =>
        counts + Vector128.Create((ulong)BitOperations.PopCount(value.GetElement(0)), (ulong)BitOperations.PopCount(value.GetElement(1)));
}

/// <summary>256 bits (AVX2).</summary>
internal readonly struct CountWidth256 : ICountWidth<Vector256<ulong>, Vector256<byte>>
{
    public static bool HasByteShuffle => Avx2.IsSupported;

    public static Vector256<byte> Lookup
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Vector256.Create((byte)0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4, 0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4);
    }

    public static Vector256<byte> LowNibbles
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Vector256.Create((byte)0x0F);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<byte> Shuffle(Vector256<byte> table, Vector256<byte> indices) => Avx2.Shuffle(table, indices);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<byte> LowNibblesOf(Vector256<ulong> value, Vector256<byte> mask) => value.AsByte() & mask;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<byte> HighNibblesOf(Vector256<ulong> value, Vector256<byte> mask) => Avx2.ShiftRightLogical(value, 4).AsByte() & mask;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<byte> AddBytes(Vector256<byte> left, Vector256<byte> right) => left + right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<ulong> SumBytes(Vector256<byte> bytes) => Avx2.SumAbsoluteDifferences(bytes, Vector256<byte>.Zero).AsUInt64();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<ulong> AddLanes(Vector256<ulong> left, Vector256<ulong> right) => left + right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<ulong> AddWithoutShuffle(Vector256<ulong> counts, Vector256<ulong> value, Vector256<byte> lookup, Vector256<byte> mask) =>
        counts + Vector256.Create(
            (ulong)BitOperations.PopCount(value.GetElement(0)), (ulong)BitOperations.PopCount(value.GetElement(1)),
            (ulong)BitOperations.PopCount(value.GetElement(2)), (ulong)BitOperations.PopCount(value.GetElement(3)));
}

/// <summary>512 bits (AVX-512BW); without it, two 256-bit halves.</summary>
internal readonly struct CountWidth512 : ICountWidth<Vector512<ulong>, Vector512<byte>>
{
    public static bool HasByteShuffle => Avx512BW.IsSupported;

    public static Vector512<byte> Lookup
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Vector512.Create((byte)0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4, 0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4,
            0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4, 0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4);
    }

    public static Vector512<byte> LowNibbles
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Vector512.Create((byte)0x0F);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<byte> Shuffle(Vector512<byte> table, Vector512<byte> indices) => Avx512BW.Shuffle(table, indices);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<byte> LowNibblesOf(Vector512<ulong> value, Vector512<byte> mask) => value.AsByte() & mask;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<byte> HighNibblesOf(Vector512<ulong> value, Vector512<byte> mask) => Avx512F.ShiftRightLogical(value, 4).AsByte() & mask;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<byte> AddBytes(Vector512<byte> left, Vector512<byte> right) => left + right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<ulong> SumBytes(Vector512<byte> bytes) => Avx512BW.SumAbsoluteDifferences(bytes, Vector512<byte>.Zero).AsUInt64();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<ulong> AddLanes(Vector512<ulong> left, Vector512<ulong> right) => left + right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<ulong> AddWithoutShuffle(Vector512<ulong> counts, Vector512<ulong> value, Vector512<byte> lookup, Vector512<byte> mask) =>
        Vector512.Create(KernelCounting.Add<CountWidth256, Vector256<ulong>, Vector256<byte>>(counts.GetLower(), value.GetLower(), lookup.GetLower(), mask.GetLower()),
            KernelCounting.Add<CountWidth256, Vector256<ulong>, Vector256<byte>>(counts.GetUpper(), value.GetUpper(), lookup.GetUpper(), mask.GetUpper()));
}
