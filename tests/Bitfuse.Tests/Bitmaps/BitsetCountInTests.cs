using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;
using Bitfuse.Bitmaps;

namespace Bitfuse.Tests.Bitmaps;

public unsafe class BitsetCountInTests
{
    [Fact]
    public void Gathered_and_scalar_probes_count_the_values_a_set_model_holds()
    {
        var random = new Random(5);
        var words = (ulong*)NativeMemory.AlignedAlloc(8192, 64);
        try
        {
            foreach (var density in new[] { 0.0, 0.01, 0.5, 0.99, 1.0 })
            {
                var set = new HashSet<int>();
                NativeMemory.Clear(words, 8192);
                for (var v = 0; v < 65536; v++)
                {
                    if (random.NextDouble() < density)
                    {
                        words[v >> 6] |= 1UL << v;
                        set.Add(v);
                    }
                }
                // Lengths around the 16- and 8-value steps and the scalar tail; the edges 0 and 65535 included.
                foreach (var length in new[] { 0, 1, 7, 8, 9, 15, 16, 17, 24, 31, 100, 4096 })
                {
                    var values = Enumerable.Range(0, length).Select(_ => (ushort)random.Next(65536)).Append((ushort)0).Append(ushort.MaxValue)
                        .Distinct().Order().Take(length).ToArray();
                    var expected = values.Count(v => set.Contains(v));
                    fixed (ushort* p = values)
                    {
                        Assert.Equal(expected, BitsetContainer.CountInScalar(words, p, values.Length));
                        Assert.Equal(expected, BitsetContainer.CountIn(words, p, values.Length));
                        if (Avx2.IsSupported)
                        {
                            Assert.Equal(expected, BitsetContainer.CountInGathered(words, p, values.Length));
                        }
                    }
                }
            }
        }
        finally
        {
            NativeMemory.AlignedFree(words);
        }
    }
}
