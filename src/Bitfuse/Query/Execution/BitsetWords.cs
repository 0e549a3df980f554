using System.Numerics;
using System.Runtime.Intrinsics;
using Bitfuse.Bitmaps;

namespace Bitfuse.Query.Execution;

/// <summary>
/// Bitset loops the executor needs beyond the container algebra: OR without counting, setting values not yet
/// set, and extracting set bits with few branches (sparse answers have about one bit per word, where a loop per
/// bit mispredicts once per word).
/// </summary>
internal static unsafe class BitsetWords
{
    /// <summary>ORs the 1024 words of <paramref name="source"/> into <paramref name="destination"/>, counting nothing.</summary>
    public static void OrInto(ulong* destination, ulong* source)
    {
        if (Vector256.IsHardwareAccelerated)
        {
            for (var i = 0; i < 1024; i += 8)
            {
                (Vector256.Load(destination + i) | Vector256.Load(source + i)).Store(destination + i);
                (Vector256.Load(destination + i + 4) | Vector256.Load(source + i + 4)).Store(destination + i + 4);
            }
            return;
        }
        for (var i = 0; i < 1024; i += 4)
        {
            (Vector128.Load(destination + i) | Vector128.Load(source + i)).Store(destination + i);
            (Vector128.Load(destination + i + 2) | Vector128.Load(source + i + 2)).Store(destination + i + 2);
        }
    }

    /// <summary>
    /// Sets every listed value in an 8 KiB bitset, testing four values at a time first: when all four are set
    /// already nothing is stored, so values mostly covered by earlier bitsets cost independent loads instead of a
    /// chain of read-modify-writes on the same words.
    /// </summary>
    public static void SetMissingValues(ulong* bits, ushort* values, int n)
    {
        var i = 0;
        for (; i + 4 <= n; i += 4)
        {
            uint v0 = values[i], v1 = values[i + 1], v2 = values[i + 2], v3 = values[i + 3];
            var missing = (~bits[v0 >> 6] & (1UL << (int)v0)) | (~bits[v1 >> 6] & (1UL << (int)v1))
                | (~bits[v2 >> 6] & (1UL << (int)v2)) | (~bits[v3 >> 6] & (1UL << (int)v3));
            if (missing != 0)
            {
                bits[v0 >> 6] |= 1UL << (int)v0;
                bits[v1 >> 6] |= 1UL << (int)v1;
                bits[v2 >> 6] |= 1UL << (int)v2;
                bits[v3 >> 6] |= 1UL << (int)v3;
            }
        }
        for (; i < n; i++)
        {
            uint v = values[i];
            bits[v >> 6] |= 1UL << (int)v;
        }
    }

    /// <summary>Spare values <see cref="ToArray"/> may write past the last value it returns.</summary>
    public const int ToArraySlack = 4;

    /// <summary>
    /// Writes every set bit of an 8 KiB bitset as a <see cref="ushort"/>, ascending, and returns how many.
    /// Each 64-word chunk is first summarised by vector compares into a mask of its non-zero words, so zero words
    /// cost nothing; each non-zero word writes four positions unconditionally and the length advances by its
    /// population count, so the destination needs room for the count plus <see cref="ToArraySlack"/>.
    /// </summary>
    public static int ToArray(ulong* bits, ushort* destination)
    {
        var k = 0;
        for (var chunk = 0; chunk < 1024; chunk += 64)
        {
            var nonZero = NonZeroWords(bits + chunk);
            while (nonZero != 0)
            {
                var w = chunk + BitOperations.TrailingZeroCount(nonZero);
                nonZero &= nonZero - 1;
                var word = bits[w];
                var n = BitOperations.PopCount(word);
                var high = w << 6;
                var at = destination + k;
                at[0] = (ushort)(high + BitOperations.TrailingZeroCount(word));
                word &= word - 1;
                at[1] = (ushort)(high + BitOperations.TrailingZeroCount(word));
                word &= word - 1;
                at[2] = (ushort)(high + BitOperations.TrailingZeroCount(word));
                word &= word - 1;
                at[3] = (ushort)(high + BitOperations.TrailingZeroCount(word));
                word &= word - 1;
                for (var j = 4; word != 0; j++)
                {
                    at[j] = (ushort)(high + BitOperations.TrailingZeroCount(word));
                    word &= word - 1;
                }
                k += n;
            }
        }
        return k;
    }

    // Bit i set when words[i] != 0, for 64 words.
    private static ulong NonZeroWords(ulong* words)
    {
        ulong mask = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            for (var i = 0; i < 64; i += 4)
            {
                var zero = Vector256.Equals(Vector256.Load(words + i), Vector256<ulong>.Zero);
                mask |= (ulong)(~zero.ExtractMostSignificantBits() & 0xF) << i;
            }
            return mask;
        }
        for (var i = 0; i < 64; i++)
        {
            mask |= (words[i] != 0 ? 1UL : 0UL) << i;
        }
        return mask;
    }

    /// <summary>
    /// A new owned container of the best plain kind for a bitset of known <paramref name="cardinality"/>: an
    /// array extracted into <paramref name="scratch"/> (room for 4096 values plus <see cref="ToArraySlack"/>) and
    /// copied at its exact size, or a copy of the bitset. Empty descriptor for an empty bitset.
    /// </summary>
    public static Container ToContainer(ulong* bits, int cardinality, ushort* scratch)
    {
        if (cardinality > ContainerAlgebra.ArrayMax || cardinality == 0)
        {
            return ContainerAlgebra.FromBitset(bits, cardinality);
        }
        var n = ToArray(bits, scratch);
        var container = Container.NewArray(n);
        Buffer.MemoryCopy(scratch, container.Values, 2L * n, 2L * n);
        container.Length = container.Cardinality = n;
        return container;
    }

    /// <summary>
    /// Sets every listed value and returns how many were not set before (the change in cardinality). One
    /// read-modify-write per value: gathering a word's values in a register first measured two to three times
    /// slower on the real data sets (the branch on the word change mispredicts).
    /// </summary>
    public static int SetValuesCounting(ulong* bits, ushort* values, int n)
    {
        var added = 0;
        for (var i = 0; i < n; i++)
        {
            uint v = values[i];
            var word = bits[v >> 6];
            added += (int)(~(word >> (int)v) & 1);
            bits[v >> 6] = word | (1UL << (int)v);
        }
        return added;
    }

    /// <summary>Zeroes the whole word of every listed value (restores an all-zero bitset after <see cref="SetValuesCounting"/>).</summary>
    public static void ClearWords(ulong* bits, ushort* values, int n)
    {
        for (var i = 0; i < n; i++)
        {
            bits[values[i] >> 6] = 0;
        }
    }
}
