using Bitfuse.Query.Syntax;

namespace Bitfuse.Tests.Query.Execution;

public class BitmapExecutionTests
{
    private const uint Span = 5 * 65536;

    [Fact]
    public void Count_evaluate_any_and_foreach_match_the_hash_set_model()
    {
        var random = new Random(2024);
        var engine = new QueryEngine();
        for (var trial = 0; trial < 40; trial++)
        {
            var sets = new Dictionary<string, HashSet<uint>>();
            var bitmaps = new BitmapSet();
            var owned = new List<Bitmap>();
            foreach (var name in RandomExpressions.Names)
            {
                var (set, bitmap) = RandomBitmap(random);
                sets[name] = set;
                bitmaps[name] = bitmap;
                owned.Add(bitmap);
            }
            try
            {
                var pool = new ExprPool();
                var tree = RandomExpressions.Next(random, pool, 4);
                var text = tree.ToString();
                var query = engine.Compile(text);
                long largest = 0;
                foreach (var name in query.Variables)
                {
                    if (sets[name].Count > 0)
                    {
                        largest = Math.Max(largest, sets[name].Max() + 1L);
                    }
                }
                var universe = trial % 3 == 0 ? (uint)random.Next(1, (int)Span) : (uint)largest;
                var options = trial % 3 == 0 ? new QueryRunOptions { UniverseEnd = universe } : QueryRunOptions.Default;
                var clipped = sets.ToDictionary(p => p.Key, p => p.Value.Where(v => v < universe).ToHashSet());
                var expected = ReferenceInterpreter.Evaluate(tree, clipped, universe).Order().ToArray();

                Assert.True(expected.Length == query.Count(bitmaps, options), $"count of {text} within {universe}");
                Assert.Equal(expected.Length > 0, query.Any(bitmaps, options));
                using (var result = query.Evaluate(bitmaps, options))
                {
                    Assert.Equal(expected, result.ToArray());
                    Assert.Equal(expected.Length, result.Count);
                }
                var streamed = new List<uint>();
                query.ForEach(bitmaps, streamed.Add, options);
                Assert.Equal(expected, streamed);

                var parallel = options with { DegreeOfParallelism = 3 };
                Assert.Equal(expected.Length, query.Count(bitmaps, parallel));
                using var parallelResult = query.Evaluate(bitmaps, parallel);
                Assert.Equal(expected, parallelResult.ToArray());
            }
            finally
            {
                foreach (var bitmap in owned)
                {
                    bitmap.Dispose();
                }
            }
        }
    }

    [Fact]
    public void Absent_keys_are_skipped_or_copied_without_kernels()
    {
        using var a = Bitmap.FromValues([1, 2, 3, 65536 + 5]);
        using var b = Bitmap.FromValues([2, 3, 4, 3 * 65536]);
        var inputs = new BitmapSet { ["a"] = a, ["b"] = b };
        var engine = new QueryEngine();
        // Two workers take the per-key planner (a single-threaded pair takes the bitmaps' own ops, which keep no key statistics).
        var planner = new QueryRunOptions { DegreeOfParallelism = 2 };
        var and = engine.Compile("a & b").Explain(inputs, planner);
        Assert.Equal(2, and.Count);
        // a and b share only key 0: the and walks the intersection of their keys, not the union.
        Assert.Equal(1, and.Statistics!.KeysVisited);
        Assert.Equal(0, and.Statistics!.KeysSkipped);
        var andNot = engine.Compile("b - a").Explain(inputs, planner);
        Assert.Equal(2, andNot.Count);
        Assert.Equal(2, andNot.Statistics!.KeysVisited);
        Assert.Equal(1, andNot.Statistics!.KeysCopied);
        Assert.Equal(1, and.Statistics!.KeysSparse);
        Assert.Equal(0, and.Statistics!.KeysDense);
        var or = engine.Compile("a | b").Explain(inputs, planner);
        Assert.Equal(6, or.Count);
        Assert.Equal(2, or.Statistics!.KeysCopied);
        Assert.Equal(1, or.Statistics!.KeysSparse);
        Assert.Equal(0, or.Statistics!.KeysDense);
        Assert.Contains("universe   [0, 196609) (largest input value + 1)", or.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Not_complements_within_the_universe()
    {
        using var a = Bitmap.FromValues([0, 2, 4]);
        var inputs = new BitmapSet { ["a"] = a };
        var query = new QueryEngine().Compile("!a");
        using (var result = query.Evaluate(inputs))
        {
            Assert.Equal([1u, 3u], result.ToArray());
        }
        using (var wide = query.Evaluate(inputs, new QueryRunOptions { UniverseEnd = 70000 }))
        {
            Assert.Equal(70000 - 3, wide.Count);
            Assert.Equal(69999u, wide.Max);
        }
        Assert.Equal(1L << 32, new QueryEngine().Compile("$1").Count(inputs, new QueryRunOptions { UniverseEnd = 1L << 32 }));
        Assert.Equal(0, new QueryEngine().Compile("$1").Count(new BitmapSet()));
    }

    [Fact]
    public void Dense_containers_run_the_kernel_and_results_take_their_best_kind()
    {
        using var a = Bitmap.FromRange(0, 200_000);
        using var b = new Bitmap();
        for (uint v = 0; v < 200_000; v += 2)
        {
            b.Add(v);
        }
        using var c = Bitmap.FromValues([7, 9, 11]);
        var inputs = new BitmapSet { ["a"] = a, ["b"] = b, ["c"] = c };
        var query = new QueryEngine().Compile("(a - b) | c");
        var explanation = query.Explain(inputs);
        Assert.Equal(100_000, explanation.Count);
        Assert.True(explanation.Statistics!.KeysDense >= 3);
        using var result = query.Evaluate(inputs);
        Assert.Equal(100_000, result.Count);
        Assert.True(result.Contains(7) && result.Contains(199_999) && !result.Contains(8));
    }

    [Fact]
    public void Unknown_names_suggest_the_closest_known_ones()
    {
        using var ios = Bitmap.FromValues([1]);
        using var android = Bitmap.FromValues([2]);
        var inputs = new BitmapSet { ["ios"] = ios, ["android"] = android };
        var error = Assert.Throws<UnknownBitmapException>(() => new QueryEngine().Compile("iso | android").Count(inputs));
        Assert.Equal("iso", error.Name);
        Assert.Equal(["ios"], error.Suggestions);
        Assert.Contains("did you mean 'ios'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Wide_or_over_many_inputs_matches_the_model()
    {
        var random = new Random(77);
        var names = Enumerable.Range(0, 100).Select(i => $"s{i}").ToArray();
        var inputs = new BitmapSet();
        var owned = new List<Bitmap>();
        var expected = new HashSet<uint>();
        foreach (var name in names)
        {
            var values = Enumerable.Range(0, 50).Select(_ => (uint)random.Next(0, 1 << 20)).ToArray();
            expected.UnionWith(values);
            var bitmap = Bitmap.FromValues(values);
            owned.Add(bitmap);
            inputs[name] = bitmap;
        }
        try
        {
            var query = new QueryEngine().Compile(string.Join(" | ", names));
            Assert.Equal(expected.Count, query.Count(inputs));
            using var result = query.Evaluate(inputs, new QueryRunOptions { DegreeOfParallelism = 2 });
            Assert.Equal(expected.Order().ToArray(), result.ToArray());
        }
        finally
        {
            owned.ForEach(b => b.Dispose());
        }
    }

    private static (HashSet<uint> Set, Bitmap Bitmap) RandomBitmap(Random random)
    {
        var set = new HashSet<uint>();
        var keys = random.Next(0, 5);
        for (var k = 0; k < keys; k++)
        {
            var high = (uint)random.Next(0, 5) << 16;
            switch (random.Next(3))
            {
                case 0:
                    for (var i = random.Next(1, 300); i > 0; i--)
                    {
                        set.Add(high | (uint)random.Next(65536));
                    }
                    break;
                case 1:
                    var density = 0.2 + (random.NextDouble() * 0.7);
                    for (uint v = 0; v < 65536; v++)
                    {
                        if (random.NextDouble() < density)
                        {
                            set.Add(high | v);
                        }
                    }
                    break;
                default:
                    for (var r = random.Next(1, 8); r > 0; r--)
                    {
                        var start = random.Next(65536);
                        var length = random.Next(1, 9000);
                        for (var v = start; v < Math.Min(65536, start + length); v++)
                        {
                            set.Add(high | (uint)v);
                        }
                    }
                    break;
            }
        }
        var bitmap = Bitmap.FromValues(set.ToArray());
        bitmap.Optimize();
        return (set, bitmap);
    }
}
