using System.Runtime.InteropServices;
using Bitfuse.Bitmaps;
using Bitfuse.Bitmaps.MultiWay;

namespace Bitfuse.Tests.Bitmaps.MultiWay;

public unsafe class BitsetWordsTests
{
    [Fact]
    public void Set_values_over_a_partly_covering_bitset_gives_the_union()
    {
        var random = new Random(6);
        var bits = (ulong*)NativeMemory.AlignedAlloc(8192, 64);
        var output = (ushort*)NativeMemory.Alloc(65536 + BitsetWords.ToArraySlack, sizeof(ushort));
        try
        {
            for (var trial = 0; trial < 100; trial++)
            {
                new Span<ulong>(bits, 1024).Clear();
                // A covering set (dense or sparse), then a sorted list of which all, some or none is covered already;
                // lengths not a multiple of four exercise the tail, clustered values put many bits in one word.
                var spread = trial % 3 == 0 ? 65536 : random.Next(1, 4096);
                var covering = Enumerable.Range(0, random.Next(0, spread)).Select(_ => (ushort)random.Next(spread)).Distinct().Order().ToArray();
                var list = Enumerable.Range(0, random.Next(0, 4097)).Select(_ => (ushort)random.Next(spread)).Distinct().Order().ToArray();
                if (trial % 4 == 1)
                {
                    list = covering.Where(_ => random.Next(3) != 0).ToArray();
                }
                fixed (ushort* c = covering, l = list)
                {
                    BitsetContainer.SetValues(bits, c, covering.Length);
                    BitsetContainer.SetValues(bits, l, list.Length);
                }
                var expected = covering.Union(list).Order().ToArray();
                var n = BitsetWords.ToArray(bits, output);
                Assert.Equal(expected, new ReadOnlySpan<ushort>(output, n).ToArray());
                Assert.Equal(expected.Length, BitsetWords.Cardinality(bits, 0, 1023));
            }
        }
        finally
        {
            NativeMemory.AlignedFree(bits);
            NativeMemory.Free(output);
        }
    }

    [Fact]
    public void Word_range_count_extract_and_coverage_match_a_model()
    {
        var random = new Random(5);
        var bits = (ulong*)NativeMemory.AlignedAlloc(8192, 64);
        var output = (ushort*)NativeMemory.Alloc(65536 + BitsetWords.ToArraySlack, sizeof(ushort));
        try
        {
            for (var trial = 0; trial < 100; trial++)
            {
                // Random garbage everywhere: the range operations must not look outside their words.
                for (var i = 0; i < 1024; i++)
                {
                    bits[i] = (ulong)random.NextInt64() | (random.Next(2) == 0 ? ulong.MaxValue : 0);
                }
                var model = new bool[65536];
                for (var v = 0; v < 65536; v++)
                {
                    model[v] = (bits[v >> 6] & (1UL << v)) != 0;
                }
                // Ranges that are set in full, sometimes a single value or one word, sometimes all 65536.
                var start = trial % 10 == 0 ? 0 : random.Next(65536);
                var end = trial % 10 == 0 ? 65536 : Math.Min(65536, start + 1 + (trial % 3 == 0 ? random.Next(64) : random.Next(20000)));
                BitsetWords.SetRange(bits, start, end);
                for (var v = start; v < end; v++)
                {
                    model[v] = true;
                }
                var first = random.Next(1024);
                var last = random.Next(first, 1024);
                var expected = Enumerable.Range(first * 64, (last - first + 1) * 64).Where(v => model[v]).Select(v => (ushort)v).ToArray();
                Assert.Equal(expected.Length, BitsetWords.Cardinality(bits, first, last));
                var n = BitsetWords.ToArray(bits, first, last, output);
                Assert.Equal(expected, new ReadOnlySpan<ushort>(output, n).ToArray());
                var words = new ulong[1024];
                for (var v = 0; v < 65536; v++)
                {
                    words[v >> 6] |= model[v] ? 1UL << v : 0;
                }
                Assert.Equal(words, new ReadOnlySpan<ulong>(bits, 1024).ToArray());
                // Coverage: the range just set is covered; one value more on either side only if that value is set.
                Assert.True(BitsetWords.Covers(bits, start, end - 1));
                var lo = Math.Max(0, start - 1);
                var hi = Math.Min(65535, end);
                Assert.Equal(Enumerable.Range(lo, hi - lo + 1).All(v => model[v]), BitsetWords.Covers(bits, lo, hi));
                var a = random.Next(65536);
                var b = random.Next(a, Math.Min(65536, a + (trial % 2 == 0 ? 200 : 65536)));
                Assert.Equal(Enumerable.Range(a, b - a + 1).All(v => model[v]), BitsetWords.Covers(bits, a, b));
            }
        }
        finally
        {
            NativeMemory.AlignedFree(bits);
            NativeMemory.Free(output);
        }
    }

    [Fact]
    public void Or_into_is_the_word_wise_or()
    {
        var random = new Random(6);
        var a = new ulong[1024];
        var b = new ulong[1024];
        for (var i = 0; i < 1024; i++)
        {
            a[i] = (ulong)random.NextInt64();
            b[i] = (ulong)random.NextInt64();
        }
        var expected = a.Zip(b, (x, y) => x | y).ToArray();
        fixed (ulong* pa = a, pb = b)
        {
            BitsetWords.OrInto(pa, pb);
        }
        Assert.Equal(expected, a);
    }
}
