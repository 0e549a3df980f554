using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Bitfuse.Bitmaps;

namespace Bitfuse.Query.Execution;

/// <summary>
/// A key's group numbers as one byte per column, built from narrowed-filter bitsets with vector bit-to-byte
/// expansion, and counting an array container's values per group with one gather per eight values.
/// Invariants: the byte buffer holds <see cref="Bytes"/> bytes (65,536 columns and 4 bytes of padding, so a 32-bit
/// gather at any column's byte stays inside); after <see cref="TryBuild"/> returns true, byte c is g + 1 when column
/// c is in narrowed filter g and 0 otherwise; it returns false when a column is in two, and the bytes are then
/// meaningless. Callers need AVX2.
/// </summary>
internal static unsafe class LeadGroupBytes
{
    /// <summary>Bytes of the buffer: one per column plus gather padding.</summary>
    public const int Bytes = 65536 + 4;

    /// <summary>Writes the group bytes of the <paramref name="groups"/> listed (narrowed bitsets at index × 1024 words); false on overlap.</summary>
    public static bool TryBuild(byte* bytes, ulong* narrowed, ReadOnlySpan<int> groups)
    {
        Unsafe.InitBlockUnaligned(bytes, 0, Bytes);
        // Byte k of a 32-byte half takes bit k % 8 of byte k / 8 of the half's 32 bits.
        var spread = Vector256.Create((byte)0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3);
        var select = Vector256.Create(0x8040201008040201UL).AsByte();
        var clash = Vector256<byte>.Zero;
        foreach (var g in groups)
        {
            var words = (uint*)(narrowed + (g * BitsetContainer.Words));
            var number = Vector256.Create((byte)(g + 1));
            for (var h = 0; h < 2 * BitsetContainer.Words; h++)
            {
                var half = words[h];
                if (half == 0)
                {
                    continue;
                }
                var bits = Avx2.Shuffle(Vector256.Create(half).AsByte(), spread) & select;
                var inGroup = Vector256.Equals(bits, select);
                var at = bytes + (h * 32);
                var old = Vector256.Load(at);
                clash |= old & inGroup;
                Vector256.Store(old | (inGroup & number), at);
            }
        }
        return clash == Vector256<byte>.Zero;
    }

    /// <summary>Adds to tally[(g + 1) × ways] the values of the array whose byte is g + 1, for each listed group g.</summary>
    public static void Count(byte* bytes, ushort* values, int n, ReadOnlySpan<int> groups, Span<long> tally, int ways)
    {
        Span<Vector256<int>> sums = stackalloc Vector256<int>[groups.Length];
        sums.Clear();
        var low = Vector256.Create(0xFF);
        var i = 0;
        for (; i + 8 <= n; i += 8)
        {
            var columns = Avx2.ConvertToVector256Int32(values + i);
            var numbers = Avx2.GatherVector256((int*)bytes, columns, 1) & low;
            for (var s = 0; s < groups.Length; s++)
            {
                // Equals gives -1 in a matching lane.
                sums[s] -= Vector256.Equals(numbers, Vector256.Create(groups[s] + 1));
            }
        }
        for (var s = 0; s < groups.Length; s++)
        {
            tally[(groups[s] + 1) * ways] += Vector256.Sum(sums[s]);
        }
        for (; i < n; i++)
        {
            tally[bytes[values[i]] * ways]++;
        }
    }
}
