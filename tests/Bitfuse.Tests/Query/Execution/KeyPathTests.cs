namespace Bitfuse.Tests.Query.Execution;

/// <summary>
/// The per-key planner's paths for general trees: each key's sparse program (container algebra, its last step
/// counted without building it) or the fused kernel over expanded containers, chosen by estimated cost. Inputs
/// hold arrays from a few values to 4096, bitsets of every density, runs, keys only some inputs have and
/// values at the end of the universe, so both paths run; every answer is checked against the set model.
/// </summary>
public class KeyPathTests
{
    private static readonly string[] Names = ["a0", "a1", "a2", "a3", "a4", "a5", "a6", "a7"];

    public static TheoryData<string> Shapes() =>
    [
        "(a0 & a1) | (a2 & !a3)",
        "((a0 & a1) | (a2 & !a3)) & !(a4 & a5) | (a6 ^ a7)",
        "(a0 & a1) ^ a2",
        "(a0 ^ a1) | (a2 & !a3)",
        "a0 & !(a1 & a2)",
        "(a0 | a1) & (a2 | a3)",
        "(a0 ^ a1 ^ a2) & a3",
        "(a0 & !a1 & !a2) | (a3 & a4)",
        "((a0 | a1) & !a2) ^ (a3 & a4 & a5)",
    ];

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Every_mode_matches_the_model_on_mixed_container_kinds(string text)
    {
        var random = new Random(EveryModeCheck.Seed(text));
        var engine = new QueryEngine();
        var query = engine.Compile(text);
        long sparse = 0, dense = 0;
        for (var trial = 0; trial < 6; trial++)
        {
            var sets = new Dictionary<string, HashSet<uint>>();
            var bitmaps = new BitmapSet();
            try
            {
                foreach (var name in Names)
                {
                    var set = RandomSet(random);
                    sets[name] = set;
                    var bitmap = Bitmap.FromValues(set.ToArray());
                    if (random.Next(2) == 0)
                    {
                        bitmap.Optimize();
                    }
                    bitmaps[name] = bitmap;
                }
                var largest = sets.Values.Where(s => s.Count > 0).Select(s => s.Max() + 1L).DefaultIfEmpty(0).Max();
                var given = trial % 3 == 2;
                var universe = given ? (uint)random.Next(1, 6 * 65536) : (uint)largest;
                var options = given ? new QueryRunOptions { UniverseEnd = universe } : QueryRunOptions.Default;
                var statistics = EveryModeCheck.Run(query, bitmaps, sets, universe, options)!;
                sparse += statistics.KeysSparse;
                dense += statistics.KeysDense;
            }
            finally
            {
                foreach (var name in Names)
                {
                    if (bitmaps.TryGetValue(name, out var bitmap))
                    {
                        bitmap.Dispose();
                    }
                }
            }
        }
        // Both paths ran, so both were checked against the model.
        Assert.True(sparse > 0, $"{text}: no key took the sparse path");
        Assert.True(dense > 0, $"{text}: no key took the kernel");
    }

    [Fact]
    public void Keys_of_small_arrays_take_the_sparse_path_and_dense_keys_the_kernel()
    {
        var engine = new QueryEngine();
        var query = engine.Compile("(a0 & a1) | (a2 & !a3)");
        var sets = new Dictionary<string, HashSet<uint>>();
        var bitmaps = new BitmapSet();
        try
        {
            for (var i = 0; i < 4; i++)
            {
                var set = new HashSet<uint>();
                // Key 0: a few values each. Key 1: every input dense.
                for (uint v = 0; v < 60; v++)
                {
                    set.Add((v * 37) + (uint)i);
                }
                for (uint v = 0; v < 65536; v++)
                {
                    if ((v * 2654435761u >> (27 - i)) % 3 != 0)
                    {
                        set.Add(65536 + v);
                    }
                }
                sets[Names[i]] = set;
                bitmaps[Names[i]] = Bitmap.FromValues(set.ToArray());
            }
            var expected = ReferenceInterpreter.Evaluate(query.Parsed, sets, 2 * 65536).Order().ToArray();
            var explanation = query.Explain(bitmaps);
            Assert.Equal(expected.Length, explanation.Count);
            Assert.Equal(1, explanation.Statistics!.KeysSparse);
            Assert.Equal(1, explanation.Statistics!.KeysDense);
            using var result = query.Evaluate(bitmaps);
            Assert.Equal(expected, result.ToArray());
        }
        finally
        {
            foreach (var name in Names[..4])
            {
                bitmaps[name].Dispose();
            }
        }
    }

    [Theory]
    [InlineData("a0 | a1 | a2")]
    [InlineData("a0 & a1 & a2")]
    [InlineData("a0 & a1 & !a2")]
    public void Intersect_and_union_keys_run_the_multi_way_combiners_and_explain_reports_their_path(string text)
    {
        // Key 0: a few values each (merged). Key 1: every input a dense bitset (a scratch bitset or the kernel).
        // The universe stops short of the largest value, so the run takes the per-key planner.
        var query = new QueryEngine().Compile(text);
        var sets = new Dictionary<string, HashSet<uint>>();
        var bitmaps = new BitmapSet();
        try
        {
            for (var i = 0; i < 3; i++)
            {
                var set = new HashSet<uint>();
                for (uint v = 0; v < 50; v++)
                {
                    set.Add(v * (uint)(i + 2));
                }
                for (uint v = 0; v < 65536; v++)
                {
                    if ((v * 2654435761u >> (27 - i)) % 5 != 0)
                    {
                        set.Add(65536 + v);
                    }
                }
                sets[Names[i]] = set;
                bitmaps[Names[i]] = Bitmap.FromValues(set.ToArray());
            }
            const uint Universe = (2 * 65536) - 1;
            var options = new QueryRunOptions { UniverseEnd = Universe };
            // Every mode against the model; the statistics are those of the explained run itself.
            var statistics = EveryModeCheck.Run(query, bitmaps, sets, Universe, options);
            Assert.NotNull(statistics);
            Assert.Equal(1, statistics.KeysSparse);
            Assert.Equal(1, statistics.KeysDense);
        }
        finally
        {
            foreach (var name in Names[..3])
            {
                bitmaps[name].Dispose();
            }
        }
    }

    // Up to four keys (of six), each absent, an array of 1..4096 values, a bitset of any density or a few runs.
    private static HashSet<uint> RandomSet(Random random)
    {
        var set = new HashSet<uint>();
        for (var key = 0u; key < 6; key++)
        {
            var high = key << 16;
            switch (random.Next(6))
            {
                case 0:
                case 1:
                    break;
                case 2:
                    for (var n = random.Next(1, 40); n > 0; n--)
                    {
                        set.Add(high | (uint)random.Next(65536));
                    }
                    break;
                case 3:
                    var values = new HashSet<uint>();
                    for (var target = random.Next(500, 4097); values.Count < target;)
                    {
                        values.Add(high | (uint)random.Next(65536));
                    }
                    set.UnionWith(values);
                    break;
                case 4:
                    // About 1/4, 1/2 or 3/4 of the values: one or two random words per 64 values.
                    var shape = random.Next(3);
                    for (uint w = 0; w < 1024; w++)
                    {
                        var word = (ulong)random.NextInt64();
                        word = shape == 0 ? word & (ulong)random.NextInt64() : shape == 2 ? word | (ulong)random.NextInt64() : word;
                        for (; word != 0; word &= word - 1)
                        {
                            set.Add(high | (w * 64) | (uint)System.Numerics.BitOperations.TrailingZeroCount(word));
                        }
                    }
                    break;
                default:
                    for (var r = random.Next(1, 6); r > 0; r--)
                    {
                        var start = random.Next(65536);
                        var end = Math.Min(65536, start + random.Next(1, 20000));
                        for (var v = start; v < end; v++)
                        {
                            set.Add(high | (uint)v);
                        }
                    }
                    break;
            }
        }
        return set;
    }
}
