using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Bitfuse.Bitmaps;

namespace Bitfuse.Query.Execution;

/// <summary>
/// A key's group numbers as one byte per column, built from narrowed-filter bitsets with vector bit-to-byte
/// expansion, and counting an array container's values per group with one gather per eight values.
/// Invariants: the byte buffer holds <see cref="Bytes"/> bytes (65,536 columns and 4 bytes of padding, so a 32-bit
/// gather at any column's byte stays inside); after <see cref="TryBuild"/> returns true, byte c is s + 1 when column
/// c is in the narrowed filter listed s-th and 0 otherwise; it returns false when a column is in two, and the bytes are
/// then meaningless. At most 255 filters are listed. Callers need AVX2.
/// </summary>
internal static unsafe class LeadGroupBytes
{
    /// <summary>Bytes of the buffer: one per column plus gather padding.</summary>
    public const int Bytes = 65536 + 4;

    // Groups counted in 4-bit lanes of a 32-bit counter (number 0, outside every group, takes the lowest nibble).
    private const int NibbleGroups = 8;

    /// <summary>Writes the group bytes of the <paramref name="groups"/> listed (narrowed bitsets at index × 1024 words); false on overlap.</summary>
    public static bool TryBuild(byte* bytes, ulong* narrowed, ReadOnlySpan<int> groups) =>
        Vector512.IsHardwareAccelerated && Avx512BW.IsSupported ? TryBuild512(bytes, narrowed, groups) : TryBuild256(bytes, narrowed, groups);

    /// <summary><see cref="TryBuild"/> 64 columns at a time (AVX-512BW).</summary>
    internal static bool TryBuild512(byte* bytes, ulong* narrowed, ReadOnlySpan<int> groups)
    {
        Unsafe.InitBlockUnaligned(bytes + 65536, 0, Bytes - 65536);
        // Byte k takes bit k % 8 of byte k / 8 of the word; a 128-bit lane holds two copies of the word's eight bytes,
        // so lane L finds bytes 2L and 2L + 1 at those positions.
        var spread = Vector512.Create(
            (byte)0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3,
            4, 4, 4, 4, 4, 4, 4, 4, 5, 5, 5, 5, 5, 5, 5, 5, 6, 6, 6, 6, 6, 6, 6, 6, 7, 7, 7, 7, 7, 7, 7, 7);
        var select = Vector512.Create(0x8040201008040201UL).AsByte();
        var clash = Vector512<byte>.Zero;
        // Column block by column block, every group in registers: the 64 KiB of bytes are written once.
        for (var w = 0; w < BitsetContainer.Words; w++)
        {
            var block = Vector512<byte>.Zero;
            for (var s = 0; s < groups.Length; s++)
            {
                var word = narrowed[(groups[s] * BitsetContainer.Words) + w];
                var inGroup = Vector512.Equals(Avx512BW.Shuffle(Vector512.Create(word).AsByte(), spread) & select, select);
                clash |= block & inGroup;
                block |= inGroup & Vector512.Create((byte)(s + 1));
            }
            Vector512.Store(block, bytes + (w * 64));
        }
        return clash == Vector512<byte>.Zero;
    }

    /// <summary><see cref="TryBuild"/> 32 columns at a time (AVX2).</summary>
    internal static bool TryBuild256(byte* bytes, ulong* narrowed, ReadOnlySpan<int> groups)
    {
        Unsafe.InitBlockUnaligned(bytes + 65536, 0, Bytes - 65536);
        // Byte k of a 32-byte half takes bit k % 8 of byte k / 8 of the half's 32 bits.
        var spread = Vector256.Create((byte)0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3);
        var select = Vector256.Create(0x8040201008040201UL).AsByte();
        var clash = Vector256<byte>.Zero;
        for (var h = 0; h < 2 * BitsetContainer.Words; h++)
        {
            var block = Vector256<byte>.Zero;
            for (var s = 0; s < groups.Length; s++)
            {
                var half = ((uint*)(narrowed + (groups[s] * BitsetContainer.Words)))[h];
                var inGroup = Vector256.Equals(Avx2.Shuffle(Vector256.Create(half).AsByte(), spread) & select, select);
                clash |= block & inGroup;
                block |= inGroup & Vector256.Create((byte)(s + 1));
            }
            Vector256.Store(block, bytes + (h * 32));
        }
        return clash == Vector256<byte>.Zero;
    }

    /// <summary>Adds to tally[(groups[s] + 1) × ways] the values of the array whose byte is s + 1, for each listed s.</summary>
    public static void Count(byte* bytes, ushort* values, int n, ReadOnlySpan<int> groups, Span<long> tally, int ways)
    {
        var low = Vector256.Create(0xFF);
        var i = 0;
        if (groups.Length < NibbleGroups)
        {
            // Up to seven groups: byte s + 1 adds one to the s + 1-th 4-bit counter of a lane, so a step is a gather, a
            // mask, a shift and an add; counters are emptied into the tallies every 15 steps, before they can overflow.
            var one = Vector256.Create(1u);
            while (i + 8 <= n)
            {
                var nibbles = Vector256<uint>.Zero;
                for (var step = 0; step < 15 && i + 8 <= n; step++, i += 8)
                {
                    var columns = Avx2.ConvertToVector256Int32(values + i);
                    var numbers = Avx2.GatherVector256((int*)bytes, columns, 1) & low;
                    nibbles += Avx2.ShiftLeftLogicalVariable(one, (numbers << 2).AsUInt32());
                }
                for (var s = 0; s < groups.Length; s++)
                {
                    tally[(groups[s] + 1) * ways] += Vector256.Sum((nibbles >> (4 * (s + 1))) & Vector256.Create(0xFu));
                }
            }
        }
        else
        {
            Span<Vector256<int>> sums = stackalloc Vector256<int>[groups.Length];
            sums.Clear();
            for (; i + 8 <= n; i += 8)
            {
                var columns = Avx2.ConvertToVector256Int32(values + i);
                var numbers = Avx2.GatherVector256((int*)bytes, columns, 1) & low;
                for (var s = 0; s < groups.Length; s++)
                {
                    // Equals gives -1 in a matching lane.
                    sums[s] -= Vector256.Equals(numbers, Vector256.Create(s + 1));
                }
            }
            for (var s = 0; s < groups.Length; s++)
            {
                tally[(groups[s] + 1) * ways] += Vector256.Sum(sums[s]);
            }
        }
        for (; i < n; i++)
        {
            var number = bytes[values[i]];
            if (number != 0)
            {
                tally[(groups[number - 1] + 1) * ways]++;
            }
        }
    }
}
