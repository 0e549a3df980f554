namespace Bitfuse.Tests.Query.Execution;

/// <summary>
/// Queries over run-optimized inputs, where most containers are runs: keys of many short runs, a few long runs,
/// and small arrays beside them. These take the interval paths: the direct union's run-list merge (a few run
/// and array containers, no bitset), and the per-key planner's run intersections and sparse programs (run
/// containers merged as intervals instead of expanded for the kernel). Every operator and every mode
/// (Count, Evaluate, ForEach, Any, two workers) is checked against the set model, with the universe taken from
/// the inputs and given so that it cuts the last key.
/// </summary>
public class RunHeavyQueryTests
{
    private static readonly string[] Names = ["a0", "a1", "a2", "a3", "a4", "a5", "a6", "a7"];

    public static TheoryData<string> Shapes() =>
    [
        "a0 | a1 | a2",
        "a0 | a1 | a2 | a3 | a4 | a5 | a6 | a7",
        "a0 & a1 & a2 & !a3",
        "a0 & !a1 & !a2",
        "a0 ^ a1 ^ a2",
        "(a0 & a1) | (a2 & !a3)",
        "((a0 & a1) | (a2 & !a3)) & !(a4 & a5) | (a6 ^ a7)",
        "(a0 | a1) & !(a2 ^ a3)",
        "!(a0 | a1) & a2",
    ];

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Every_mode_matches_the_model_on_run_heavy_inputs(string text)
    {
        var random = new Random(EveryModeCheck.Seed(text));
        var query = new QueryEngine().Compile(text);
        long runsInputs = 0, sparseKeys = 0;
        for (var trial = 0; trial < 8; trial++)
        {
            var sets = new Dictionary<string, HashSet<uint>>();
            var bitmaps = new BitmapSet();
            try
            {
                foreach (var name in Names)
                {
                    var set = RandomRunHeavySet(random);
                    sets[name] = set;
                    var bitmap = Bitmap.FromValues(set.ToArray());
                    bitmap.Optimize();
                    runsInputs += bitmap.GetStatistics().RunContainers;
                    bitmaps[name] = bitmap;
                }
                var largest = sets.Values.Where(s => s.Count > 0).Select(s => s.Max() + 1L).DefaultIfEmpty(1).Max();
                // Every other trial gives a universe that ends inside some key, so the last key is masked.
                var given = trial % 2 == 1;
                var universe = given ? (uint)random.Next(1, (int)largest + 1) : (uint)largest;
                var options = given ? new QueryRunOptions { UniverseEnd = universe } : QueryRunOptions.Default;
                sparseKeys += EveryModeCheck.Run(query, bitmaps, sets, universe, options)?.KeysSparse ?? 0;
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
        Assert.True(runsInputs > 0, "the inputs held no run container");
        // Keys of run containers merged as intervals (the planner counts them as sparse), so that path was checked.
        Assert.True(sparseKeys > 0, $"{text}: no key took a merging path");
    }

    [Fact]
    public void A_few_run_containers_union_to_runs()
    {
        // Key 0 of each input: 300 runs of 3 values, shifted by one input to the next, so the union has 300 runs of
        // 6 values (1,800 values: runs are its smallest kind). Key 1: a few values per input, an array.
        var inputs = new BitmapSet();
        var expected = new SortedSet<uint>();
        var owned = new List<Bitmap>();
        try
        {
            for (var i = 0; i < 4; i++)
            {
                var values = new List<uint>();
                for (var r = 0u; r < 300; r++)
                {
                    for (var v = 0u; v < 3; v++)
                    {
                        values.Add((r * 100) + (uint)i + v);
                    }
                }
                values.Add(65536 + (uint)(i * 7));
                expected.UnionWith(values);
                var bitmap = Bitmap.FromValues(values.ToArray());
                bitmap.Optimize();
                Assert.Equal(1, bitmap.GetStatistics().RunContainers);
                owned.Add(bitmap);
                inputs[$"x{i}"] = bitmap;
            }
            var query = new QueryEngine().Compile("x0 | x1 | x2 | x3");
            Assert.Equal(expected.Count, query.Count(inputs));
            using var result = query.Evaluate(inputs);
            Assert.Equal(expected.ToArray(), result.ToArray());
            var statistics = result.GetStatistics();
            Assert.Equal(1, statistics.RunContainers);
            Assert.Equal(1, statistics.ArrayContainers);
        }
        finally
        {
            owned.ForEach(b => b.Dispose());
        }
    }

    // Up to five keys, each absent, many short runs, a few long runs, or a small array (which stays an array
    // beside the run containers after Optimize).
    private static HashSet<uint> RandomRunHeavySet(Random random)
    {
        var set = new HashSet<uint>();
        for (var key = 0u; key < 5; key++)
        {
            var high = key << 16;
            switch (random.Next(5))
            {
                case 0:
                    break;
                case 1:
                case 2:
                    for (var r = random.Next(5, 400); r > 0; r--)
                    {
                        var start = random.Next(65536);
                        var end = Math.Min(65536, start + random.Next(2, 40));
                        for (var v = start; v < end; v++)
                        {
                            set.Add(high | (uint)v);
                        }
                    }
                    break;
                case 3:
                    for (var r = random.Next(1, 5); r > 0; r--)
                    {
                        var start = random.Next(65536);
                        var end = Math.Min(65536, start + random.Next(100, 30000));
                        for (var v = start; v < end; v++)
                        {
                            set.Add(high | (uint)v);
                        }
                    }
                    break;
                default:
                    for (var n = random.Next(1, 60); n > 0; n--)
                    {
                        set.Add(high | (uint)random.Next(65536));
                    }
                    break;
            }
        }
        return set;
    }
}
