using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Bitfuse.Bitmaps.MultiWay;

/// <summary>
/// Bitset loops the executor needs beyond the container algebra: OR and XOR, value scatter and range fill without
/// counting, coverage tests and counts over a word range, and extracting set bits with few branches (sparse
/// answers have about one bit per word, where a loop per bit mispredicts once per word).
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

    /// <summary>XORs the 1024 words of <paramref name="source"/> into <paramref name="destination"/>, counting nothing.</summary>
    public static void XorInto(ulong* destination, ulong* source)
    {
        if (Vector256.IsHardwareAccelerated)
        {
            for (var i = 0; i < 1024; i += 8)
            {
                (Vector256.Load(destination + i) ^ Vector256.Load(source + i)).Store(destination + i);
                (Vector256.Load(destination + i + 4) ^ Vector256.Load(source + i + 4)).Store(destination + i + 4);
            }
            return;
        }
        for (var i = 0; i < 1024; i += 4)
        {
            (Vector128.Load(destination + i) ^ Vector128.Load(source + i)).Store(destination + i);
            (Vector128.Load(destination + i + 2) ^ Vector128.Load(source + i + 2)).Store(destination + i + 2);
        }
    }

    // Whole words a range sets with plain stores; longer ranges use the vectorised fill.
    private const int ShortFillWords = 8;

    /// <summary>Sets bits [<paramref name="start"/>, <paramref name="end"/>) (0 &lt;= start &lt; end &lt;= 65536), counting nothing.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void SetRange(ulong* bits, int start, int end)
    {
        var first = start >> 6;
        var last = (end - 1) >> 6;
        var head = ulong.MaxValue << (start & 63);
        var tail = ulong.MaxValue >> (63 - ((end - 1) & 63));
        if (first == last)
        {
            bits[first] |= head & tail;
            return;
        }
        bits[first] |= head;
        // The whole words between: stored one by one for the short spans most runs cover (the vectorised fill's
        // call and set-up cost more than a few stores), filled in bulk beyond that.
        var middle = last - first - 1;
        if (middle <= ShortFillWords)
        {
            for (var i = first + 1; i < last; i++)
            {
                bits[i] = ulong.MaxValue;
            }
        }
        else
        {
            new Span<ulong>(bits + first + 1, middle).Fill(ulong.MaxValue);
        }
        bits[last] |= tail;
    }

    /// <summary>True when every bit of [<paramref name="first"/>, <paramref name="last"/>] (inclusive) is set; stops at the first gap.</summary>
    public static bool Covers(ulong* bits, int first, int last)
    {
        var w0 = first >> 6;
        var w1 = last >> 6;
        var head = ulong.MaxValue << (first & 63);
        var tail = ulong.MaxValue >> (63 - (last & 63));
        if (w0 == w1)
        {
            return (bits[w0] & head & tail) == (head & tail);
        }
        if ((bits[w0] & head) != head || (bits[w1] & tail) != tail)
        {
            return false;
        }
        var i = w0 + 1;
        if (Vector256.IsHardwareAccelerated)
        {
            for (; i + 16 <= w1; i += 16)
            {
                var all = Vector256.Load(bits + i) & Vector256.Load(bits + i + 4) & Vector256.Load(bits + i + 8) & Vector256.Load(bits + i + 12);
                if (all != Vector256<ulong>.AllBitsSet)
                {
                    return false;
                }
            }
        }
        for (; i < w1; i++)
        {
            if (bits[i] != ulong.MaxValue)
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>Population count of words [<paramref name="firstWord"/>, <paramref name="lastWord"/>] (inclusive).</summary>
    public static int Cardinality(ulong* bits, int firstWord, int lastWord)
    {
        if (firstWord == 0 && lastWord == 1023)
        {
            return BitsetContainer.Cardinality(bits);
        }
        ulong c0 = 0, c1 = 0, c2 = 0, c3 = 0;
        var i = firstWord;
        for (; i + 4 <= lastWord + 1; i += 4)
        {
            c0 += ulong.PopCount(bits[i]);
            c1 += ulong.PopCount(bits[i + 1]);
            c2 += ulong.PopCount(bits[i + 2]);
            c3 += ulong.PopCount(bits[i + 3]);
        }
        for (; i <= lastWord; i++)
        {
            c0 += ulong.PopCount(bits[i]);
        }
        return (int)(c0 + c1 + c2 + c3);
    }

    /// <summary>Spare values <see cref="ToArray(ulong*, ushort*)"/> may write past the last value it returns.</summary>
    public const int ToArraySlack = 4;

    /// <summary>
    /// Writes every set bit of an 8 KiB bitset as a <see cref="ushort"/>, ascending, and returns how many.
    /// Each 64-word chunk is first summarised by vector compares into a mask of its non-zero words, so zero words
    /// cost nothing; each non-zero word writes four positions unconditionally and the length advances by its
    /// population count, so the destination needs room for the count plus <see cref="ToArraySlack"/>.
    /// </summary>
    public static int ToArray(ulong* bits, ushort* destination) => ToArray(bits, 0, 1023, destination);

    /// <summary>
    /// <see cref="ToArray(ulong*, ushort*)"/> over words [<paramref name="firstWord"/>, <paramref name="lastWord"/>]
    /// only (inclusive); words outside are neither read for values nor required to be zero.
    /// </summary>
    public static int ToArray(ulong* bits, int firstWord, int lastWord, ushort* destination)
    {
        var k = 0;
        for (var chunk = firstWord & ~63; chunk <= lastWord; chunk += 64)
        {
            var nonZero = NonZeroWords(bits + chunk);
            if (chunk < firstWord)
            {
                nonZero &= ulong.MaxValue << (firstWord - chunk);
            }
            if (lastWord - chunk < 63)
            {
                nonZero &= ulong.MaxValue >> (63 - (lastWord - chunk));
            }
            while (nonZero != 0)
            {
                var w = chunk + BitOperations.TrailingZeroCount(nonZero);
                nonZero &= nonZero - 1;
                k += BitsetContainer.FourPerWord.Write(bits[w], w, destination + k);
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
}
