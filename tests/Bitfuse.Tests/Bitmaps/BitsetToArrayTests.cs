using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;
using Bitfuse.Bitmaps;

namespace Bitfuse.Tests.Bitmaps;

public unsafe class BitsetToArrayTests
{
    // Each way of writing a word that this host can run, and the dispatching entry point.
    private static List<(string Name, Func<nint, nint, int, int> ToArray)> Ways()
    {
        var ways = new List<(string Name, Func<nint, nint, int, int> ToArray)>
        {
            ("dispatch", (a, d, c) => BitsetContainer.ToArray((ulong*)a, (ushort*)d, c)),
            ("four-per-word", (a, d, c) => BitsetContainer.ToArray<FirstWords, BitsetContainer.FourPerWord>((ulong*)a, (ulong*)a, (ushort*)d, c)),
            ("eight-per-word", (a, d, c) => BitsetContainer.ToArray<FirstWords, BitsetContainer.EightPerWord>((ulong*)a, (ulong*)a, (ushort*)d, c)),
        };
        if (Avx512Vbmi2.IsSupported && Avx512BW.IsSupported)
        {
            ways.Add(("compressed", (a, d, c) => BitsetContainer.ToArray<FirstWords, BitsetContainer.CompressedWords>((ulong*)a, (ulong*)a, (ushort*)d, c)));
        }
        return ways;
    }

    [Fact]
    public void Every_way_lists_the_set_bits_a_sorted_model_holds_and_writes_nothing_past_the_capacity()
    {
        var random = new Random(11);
        var words = (ulong*)NativeMemory.AlignedAlloc(8192, 64);
        // Room for every value plus a guard zone that must stay untouched.
        const int Guard = 256;
        var output = (ushort*)NativeMemory.Alloc((65536 + Guard) * sizeof(ushort));
        try
        {
            // Uniform densities, clustered words (full words, words over 32 bits), and the edges 0 and 65535.
            foreach (var density in new[] { 0.0, 0.0001, 0.01, 0.03, 0.06, 0.5, 1.0 })
            {
                foreach (var clustered in new[] { false, true })
                {
                    NativeMemory.Clear(words, 8192);
                    var model = new SortedSet<int>();
                    for (var v = 0; v < 65536; v++)
                    {
                        var p = clustered ? ((v >> 6) % 7 == 0 ? Math.Min(1.0, density * 20) : 0) : density;
                        if (random.NextDouble() < p || (density > 0 && (v == 0 || v == 65535)))
                        {
                            words[v >> 6] |= 1UL << v;
                            model.Add(v);
                        }
                    }
                    var expected = model.Select(v => (ushort)v).ToArray();
                    foreach (var capacity in new[] { expected.Length, expected.Length + 3, expected.Length / 2, 63, 64, 65, 1, 0 }.Select(c => Math.Min(c, 65536)).Distinct())
                    {
                        foreach (var (name, toArray) in Ways())
                        {
                            new Span<ushort>(output, 65536 + Guard).Fill(0xBEEF);
                            var n = toArray((nint)words, (nint)output, capacity);
                            var want = expected.Take(capacity).ToArray();
                            Assert.True(want.Length == n, $"{name}, density {density}, clustered {clustered}, capacity {capacity}: {n} values, expected {want.Length}");
                            Assert.Equal(want, new ReadOnlySpan<ushort>(output, n).ToArray());
                            // Nothing written at or past the capacity.
                            Assert.True(new ReadOnlySpan<ushort>(output + capacity, Guard).IndexOfAnyExcept((ushort)0xBEEF) < 0, $"{name} wrote past capacity {capacity}");
                        }
                    }
                }
            }
        }
        finally
        {
            NativeMemory.AlignedFree(words);
            NativeMemory.Free(output);
        }
    }

    // Each way of writing a word as 32-bit values (from, to, high, capacity), and the public entry point.
    private static List<(string Name, Func<nint, int, int, uint, nint, int, int> Extract)> ExtractWays()
    {
        var ways = new List<(string Name, Func<nint, int, int, uint, nint, int, int> Extract)>
        {
            ("dispatch", (a, f, t, h, d, c) => BitsetContainer.ExtractRange((ulong*)a, f, t, h, (uint*)d, c)),
            ("four-per-word", (a, f, t, h, d, c) => BitsetContainer.WriteValues<FirstWords, BitsetContainer.FourPerWord, uint>((ulong*)a, (ulong*)a, f, t, h, (uint*)d, c)),
            ("eight-per-word", (a, f, t, h, d, c) => BitsetContainer.WriteValues<FirstWords, BitsetContainer.EightPerWord, uint>((ulong*)a, (ulong*)a, f, t, h, (uint*)d, c)),
        };
        if (Avx512Vbmi2.IsSupported && Avx512BW.IsSupported)
        {
            ways.Add(("compressed", (a, f, t, h, d, c) => BitsetContainer.WriteValues<FirstWords, BitsetContainer.CompressedWords, uint>((ulong*)a, (ulong*)a, f, t, h, (uint*)d, c)));
        }
        return ways;
    }

    [Fact]
    public void Every_way_extracts_a_range_as_keyed_values_and_writes_nothing_past_the_capacity()
    {
        var random = new Random(12);
        var words = (ulong*)NativeMemory.AlignedAlloc(8192, 64);
        const int Guard = 256;
        var output = (uint*)NativeMemory.Alloc((65536 + Guard) * sizeof(uint));
        const uint High = 0x002A0000;
        try
        {
            foreach (var density in new[] { 0.0, 0.001, 0.05, 0.4, 0.9, 1.0 })
            {
                NativeMemory.Clear(words, 8192);
                var model = new List<int>();
                for (var v = 0; v < 65536; v++)
                {
                    // Words of more than 16, 32 and 48 bits at the higher densities.
                    if (random.NextDouble() < density || (density > 0 && (v == 0 || v == 65535)))
                    {
                        words[v >> 6] |= 1UL << v;
                        model.Add(v);
                    }
                }
                // Ranges inside one word, across word edges, whole, and the batch reader's bounded reads.
                var ranges = new[] { (0, 65536), (0, 1), (65535, 65536), (5, 60), (63, 65), (64, 128), (1000, 1000), (777, 40000) }
                    .Concat(Enumerable.Range(0, 6).Select(_ => { var f = random.Next(65536); return (f, random.Next(f, 65537)); }));
                foreach (var (from, to) in ranges)
                {
                    var expected = model.Where(v => v >= from && v < to).Select(v => High | (uint)v).ToArray();
                    foreach (var capacity in new[] { expected.Length, 256, 65, 64, 63, 1, 0, 65536 }.Distinct())
                    {
                        foreach (var (name, extract) in ExtractWays())
                        {
                            new Span<uint>(output, 65536 + Guard).Fill(0xDEADBEEF);
                            var n = extract((nint)words, from, to, High, (nint)output, capacity);
                            var want = expected.Take(capacity).ToArray();
                            Assert.True(want.Length == n, $"{name}, density {density}, [{from}, {to}), capacity {capacity}: {n} values, expected {want.Length}");
                            Assert.Equal(want, new ReadOnlySpan<uint>(output, n).ToArray());
                            Assert.True(new ReadOnlySpan<uint>(output + capacity, Guard).IndexOfAnyExcept(0xDEADBEEF) < 0, $"{name} wrote past capacity {capacity}");
                        }
                    }
                }
            }
        }
        finally
        {
            NativeMemory.AlignedFree(words);
            NativeMemory.Free(output);
        }
    }
}
