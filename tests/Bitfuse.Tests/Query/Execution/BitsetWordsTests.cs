using System.Runtime.InteropServices;
using Bitfuse.Bitmaps;
using Bitfuse.Query.Execution;

namespace Bitfuse.Tests.Query.Execution;

public unsafe class BitsetWordsTests
{
    [Fact]
    public void Set_missing_values_over_a_partly_covering_bitset_gives_the_union()
    {
        var random = new Random(6);
        var bits = (ulong*)NativeMemory.AlignedAlloc(8192, 64);
        var output = (ushort*)NativeMemory.Alloc(65536 + BitsetWords.ToArraySlack, sizeof(ushort));
        try
        {
            for (var trial = 0; trial < 200; trial++)
            {
                new Span<ulong>(bits, 1024).Clear();
                // A covering set (dense or sparse), then a sorted list of which all, some or none is covered already.
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
                    BitsetWords.SetMissingValues(bits, l, list.Length);
                }
                var expected = covering.Union(list).Order().ToArray();
                var n = BitsetWords.ToArray(bits, output);
                Assert.Equal(expected, new ReadOnlySpan<ushort>(output, n).ToArray());
            }
        }
        finally
        {
            NativeMemory.AlignedFree(bits);
            NativeMemory.Free(output);
        }
    }

    [Fact]
    public void Set_values_then_extract_gives_the_sorted_distinct_values()
    {
        var random = new Random(5);
        var bits = (ulong*)NativeMemory.AlignedAlloc(8192, 64);
        var output = (ushort*)NativeMemory.Alloc(4096 + BitsetWords.ToArraySlack, sizeof(ushort));
        try
        {
            for (var trial = 0; trial < 200; trial++)
            {
                new Span<ulong>(bits, 1024).Clear();
                // From a handful of values up to 4096, some clustered (many bits per word), some spread out.
                var count = random.Next(0, 4097);
                var spread = trial % 2 == 0 ? 65536 : random.Next(1, 65536);
                var values = Enumerable.Range(0, count).Select(_ => (ushort)random.Next(spread)).Distinct().Order().ToArray();
                var half = values.Length / 2;
                // Two sorted lists that overlap: the second adds only the values the first did not set.
                var second = values.Skip(half / 2).ToArray();
                fixed (ushort* v = values, s = second)
                {
                    BitsetContainer.SetValues(bits, v, half);
                    var added = BitsetWords.SetValuesCounting(bits, s, second.Length);
                    Assert.Equal(values.Length - half, added);
                }
                var expected = values;
                var n = BitsetWords.ToArray(bits, output);
                Assert.Equal(expected, new ReadOnlySpan<ushort>(output, n).ToArray());
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
