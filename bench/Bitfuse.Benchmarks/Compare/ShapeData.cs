namespace Bitfuse.Benchmarks.Compare;

/// <summary>
/// Generated data sets no one tuned for: each <see cref="Shape"/> fixes the number of 16-bit keys a bitmap
/// spans, the share of those keys that hold values (clustering), the density inside a held key (values per
/// key), and the mean run length (1 scatters values; long runs make run containers). Successive bitmaps of a
/// set share about half their runs, as sorted real data does. A sweep picks shapes at random from the seed,
/// always including a run-heavy one; the same seed gives the same shapes and values.
/// </summary>
public static class ShapeData
{
    private static readonly double[] Densities = [0.0005, 0.005, 0.04, 0.2, 0.6, 0.95];
    private static readonly int[] RunLengths = [1, 4, 32, 256, 2048];
    private static readonly double[] KeyFills = [1.0, 0.4, 0.05];
    private static readonly int[] KeyCounts = [2, 16, 128, 1024];

    /// <summary>One generated data set.</summary>
    /// <param name="Keys">16-bit keys the bitmaps span.</param>
    /// <param name="KeyFill">Share of those keys that hold values.</param>
    /// <param name="Density">Share of a held key's 65,536 values that are set.</param>
    /// <param name="RunLength">Mean length of a run of consecutive values.</param>
    /// <param name="Bitmaps">Bitmaps in the set.</param>
    /// <param name="Seed">The seed of its values.</param>
    public sealed record Shape(int Keys, double KeyFill, double Density, int RunLength, int Bitmaps, int Seed)
    {
        /// <summary>The name used as the data set's name in case names.</summary>
        public string Name => string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"shape-k{Keys}-f{KeyFill:0.##}-d{Density:0.####}-r{RunLength}");

        /// <summary>One line describing the shape for the console.</summary>
        public string Describe() => string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"{Name}: {Bitmaps} bitmaps over {Keys} keys, {KeyFill:P0} of keys held, density {Density:P2}, mean run {RunLength}, seed {Seed}");

        /// <summary>The bitmaps' values, sorted and distinct.</summary>
        public uint[][] Generate()
        {
            var random = new Random(Seed);
            var held = Enumerable.Range(0, Keys).Where(_ => random.NextDouble() < KeyFill).ToList();
            if (held.Count == 0)
            {
                held.Add(random.Next(Keys));
            }
            var target = Math.Max(1, (int)(Density * 65536));
            var words = new ulong[1024];
            var previous = new Dictionary<int, List<(int Start, int Length)>>();
            var result = new uint[Bitmaps][];
            for (var b = 0; b < Bitmaps; b++)
            {
                var values = new List<uint>();
                foreach (var key in held)
                {
                    Array.Clear(words);
                    var runs = new List<(int Start, int Length)>();
                    var set = 0;
                    // Keep about half of the previous bitmap's runs in this key, then add fresh ones up to the density.
                    if (previous.TryGetValue(key, out var before))
                    {
                        foreach (var run in before)
                        {
                            if (random.Next(2) == 0 && set < target)
                            {
                                set += Mark(words, run.Start, run.Length);
                                runs.Add(run);
                            }
                        }
                    }
                    var attempts = 0;
                    while (set < target && attempts++ < 1_000_000)
                    {
                        var length = Math.Max(1, (int)(-Math.Log(1 - random.NextDouble()) * RunLength));
                        length = Math.Min(length, target - set);
                        var start = random.Next(65536);
                        set += Mark(words, start, Math.Min(length, 65536 - start));
                        runs.Add((start, Math.Min(length, 65536 - start)));
                    }
                    previous[key] = runs;
                    for (var w = 0; w < words.Length; w++)
                    {
                        var word = words[w];
                        while (word != 0)
                        {
                            values.Add(((uint)key << 16) | (uint)((w * 64) + System.Numerics.BitOperations.TrailingZeroCount(word)));
                            word &= word - 1;
                        }
                    }
                }
                result[b] = [.. values];
            }
            return result;
        }

        // Sets [start, start + length) and returns how many of those bits were clear.
        private static int Mark(ulong[] words, int start, int length)
        {
            var added = 0;
            for (var v = start; v < start + length; v++)
            {
                var bit = 1UL << (v & 63);
                if ((words[v >> 6] & bit) == 0)
                {
                    words[v >> 6] |= bit;
                    added++;
                }
            }
            return added;
        }
    }

    /// <summary>
    /// The shapes of one run: 3 in quick mode, 8 in full, drawn from <paramref name="seed"/>; the first is always
    /// run-heavy (mean run 256 or longer). Each bitmap holds at most about 400,000 values (fewer keys when the draw
    /// would hold more), so a sweep stays within the suites' time.
    /// </summary>
    public static IReadOnlyList<Shape> Sweep(int seed, bool quick)
    {
        var random = new Random(seed);
        var count = quick ? 3 : 8;
        var bitmaps = quick ? 8 : 16;
        var maxValues = quick ? 150_000 : 400_000;
        var shapes = new List<Shape>(count);
        for (var i = 0; i < count; i++)
        {
            var runLength = i == 0 ? RunLengths[random.Next(3, RunLengths.Length)] : RunLengths[random.Next(RunLengths.Length)];
            var density = Densities[random.Next(Densities.Length)];
            if (i == 0)
            {
                density = Math.Max(density, 0.2);
            }
            var fill = KeyFills[random.Next(KeyFills.Length)];
            var keys = KeyCounts[random.Next(KeyCounts.Length)];
            while (keys > 1 && keys * fill * density * 65536 > maxValues)
            {
                keys /= 2;
            }
            shapes.Add(new Shape(keys, fill, density, runLength, bitmaps, random.Next()));
        }
        return shapes;
    }
}
