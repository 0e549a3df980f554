using Bitfuse.Query.Syntax;

namespace Bitfuse.Tests.Query.Execution;

/// <summary>
/// The direct forms (pairs, AND of inputs and negated inputs, OR of many inputs) against the
/// <see cref="HashSet{T}"/> model, over correlated bitmaps that mix array, bitset and run containers, so the
/// sparse AND, its bitset start, the wide OR's merge, gather, scatter and bucket paths all run.
/// </summary>
public class DirectExecutionTests
{
    [Fact]
    public void Pairs_match_the_model_with_and_without_a_universe()
    {
        var random = new Random(11);
        var engine = new QueryEngine();
        for (var trial = 0; trial < 30; trial++)
        {
            var inputs = Correlated(random, 2);
            try
            {
                foreach (var text in new[] { "x0 & x1", "x0 | x1", "x0 ^ x1", "x0 & !x1", "x1 - x0" })
                {
                    Check(engine, text, inputs.Sets, inputs.Set, QueryRunOptions.Default);
                    // A universe that holds every value keeps the direct path; a smaller one takes the planner.
                    Check(engine, text, inputs.Sets, inputs.Set, new QueryRunOptions { UniverseEnd = 1L << 32 });
                    Check(engine, text, inputs.Sets, inputs.Set, new QueryRunOptions { UniverseEnd = random.Next(1, 5 * 65536) });
                }
            }
            finally
            {
                inputs.Dispose();
            }
        }
    }

    [Fact]
    public void Repeated_pair_counts_over_one_set_follow_its_changes()
    {
        // The second and later counts over the same set take the cached names; a replaced or re-added bitmap
        // changes the set's version and must be seen on the next count.
        var random = new Random(15);
        var engine = new QueryEngine();
        string[] texts = ["x0 & x1", "x0 | x1", "x0 ^ x1", "x0 & !x1", "x1 - x0", "x0 & x1 & (x2 & !x2)"];
        for (var trial = 0; trial < 20; trial++)
        {
            var inputs = Correlated(random, 3);
            try
            {
                for (var change = 0; change < 3; change++)
                {
                    foreach (var text in texts)
                    {
                        var query = engine.Compile(text);
                        var expected = ReferenceInterpreter.Evaluate(query.Parsed, inputs.Sets, 7u << 16).Count;
                        for (var repeat = 0; repeat < 3; repeat++)
                        {
                            Assert.Equal(expected, query.Count(inputs.Set));
                            Assert.Equal(expected, query.Count(inputs.Set, QueryRunOptions.Default));
                        }
                    }
                    // Replace x1 by fresh values, in the model as well.
                    var values = Enumerable.Range(0, random.Next(0, 3000)).Select(_ => (uint)random.Next(6 << 16)).ToHashSet();
                    var replacement = Bitmap.FromValues(values.Order().ToArray());
                    inputs.Owned.Add(replacement);
                    inputs.Set["x1"] = replacement;
                    inputs.Sets["x1"] = values;
                }
            }
            finally
            {
                inputs.Dispose();
            }
        }
    }

    [Fact]
    public void A_pair_count_checks_a_removed_name_each_call()
    {
        // x2 is optimized away but still resolved: once its bitmap is disposed, every count says so.
        using var a = Bitmap.FromValues([1, 2, 3]);
        using var b = Bitmap.FromValues([2, 3, 4]);
        var c = Bitmap.FromValues([5]);
        var set = new BitmapSet { ["x0"] = a, ["x1"] = b, ["x2"] = c };
        var query = new QueryEngine().Compile("x0 & x1 & (x2 | !x2)");
        Assert.DoesNotContain("x2", query.Form.Inputs);
        Assert.Equal(2, query.Count(set));
        Assert.Equal(2, query.Count(set));
        c.Dispose();
        Assert.Throws<ObjectDisposedException>(() => query.Count(set));
    }

    [Fact]
    public void Sparse_and_of_many_inputs_and_negations_matches_the_model()
    {
        var random = new Random(12);
        var engine = new QueryEngine();
        for (var trial = 0; trial < 40; trial++)
        {
            var k = trial < 30 ? random.Next(3, 9) : random.Next(20, 70);
            var inputs = Correlated(random, k);
            try
            {
                var names = Enumerable.Range(0, k).Select(i => $"x{i}").ToArray();
                Check(engine, string.Join(" & ", names), inputs.Sets, inputs.Set, QueryRunOptions.Default);
                // Some inputs negated (at least one stays positive).
                var negated = names.Select((n, i) => i > 0 && random.Next(3) == 0 ? "!" + n : n);
                Check(engine, string.Join(" & ", negated), inputs.Sets, inputs.Set, QueryRunOptions.Default);
                Check(engine, $"x0 & x1 & !x2", inputs.Sets, inputs.Set, new QueryRunOptions { UniverseEnd = 1L << 32 });
            }
            finally
            {
                inputs.Dispose();
            }
        }
    }

    [Fact]
    public void Wide_or_matches_the_model_through_merge_and_buckets()
    {
        var random = new Random(13);
        var engine = new QueryEngine();
        for (var trial = 0; trial < 30; trial++)
        {
            var k = trial % 2 == 0 ? random.Next(3, 17) : random.Next(17, 120);
            var inputs = Correlated(random, k, sparseOnly: trial % 3 == 0);
            try
            {
                var names = Enumerable.Range(0, k).Select(i => $"x{i}").ToArray();
                Check(engine, string.Join(" | ", names), inputs.Sets, inputs.Set, QueryRunOptions.Default);
            }
            finally
            {
                inputs.Dispose();
            }
        }
    }

    [Fact]
    public void Empty_inputs_give_empty_answers()
    {
        using var empty = new Bitmap();
        using var a = Bitmap.FromValues([1, 70_000]);
        var inputs = new BitmapSet { ["e"] = empty, ["a"] = a, ["b"] = a };
        var engine = new QueryEngine();
        Assert.Equal(0, engine.Compile("a & b & e").Count(inputs));
        using (var none = engine.Compile("a & e & b").Evaluate(inputs))
        {
            Assert.True(none.IsEmpty);
        }
        Assert.Equal(2, engine.Compile("a | b | e").Count(inputs));
        using var all = engine.Compile("e | e2 | e3").Evaluate(new BitmapSet { ["e"] = empty, ["e2"] = empty, ["e3"] = empty });
        Assert.True(all.IsEmpty);
    }

    [Fact]
    public void Mixed_expressions_of_eight_inputs_match_the_model()
    {
        // The realdata mixed shapes and their kin (negations inside, xor) over sparse, dense and run keys:
        // small keys merge containers, larger ones run the kernel; with and without a cutting universe.
        var random = new Random(14);
        var engine = new QueryEngine();
        string[] texts =
        [
            "(x0 & x1) | (x2 & !x3)",
            "((x0 & x1) | (x2 & !x3)) & !(x4 & x5) | (x6 ^ x7)",
            "x0 & (x1 | !x2)",
            "(x0 ^ x1) & !x2 | x3 & x4",
            "x0 & !(x1 & x2) & (x3 | x4 | !x5)",
            "(x0 | x1) & (x2 | !x3) & !(x4 ^ x5)",
        ];
        for (var trial = 0; trial < 40; trial++)
        {
            var inputs = Correlated(random, 8, sparseOnly: trial % 3 == 0);
            try
            {
                foreach (var text in texts)
                {
                    Check(engine, text, inputs.Sets, inputs.Set, QueryRunOptions.Default);
                    Check(engine, text, inputs.Sets, inputs.Set, new QueryRunOptions { UniverseEnd = random.Next(1, 5 * 65536) });
                }
            }
            finally
            {
                inputs.Dispose();
            }
        }
    }

    private static void Check(QueryEngine engine, string text, Dictionary<string, HashSet<uint>> sets, BitmapSet bitmaps, QueryRunOptions options)
    {
        var query = engine.Compile(text);
        // Every query here answers a subset of its inputs' union, so the model's universe can stop at the
        // largest value (a complement over 2^32 values would not fit in a hash set).
        var universe = Math.Min(options.UniverseEnd ?? long.MaxValue, LargestPlusOne(query, sets));
        var clipped = sets.ToDictionary(p => p.Key, p => p.Value.Where(v => v < universe).ToHashSet());
        var expected = ReferenceInterpreter.Evaluate(query.Parsed, clipped, (uint)universe).Order().ToArray();
        Assert.True(expected.Length == query.Count(bitmaps, options), $"count of {text} within {universe}");
        using var result = query.Evaluate(bitmaps, options);
        Assert.Equal(expected.Length, result.Count);
        Assert.True(expected.AsSpan().SequenceEqual(result.ToArray()), $"values of {text} within {universe}");
        // The result is a well-formed bitmap: it counts, copies and compares like one built from its values.
        using var rebuilt = Bitmap.FromValues(expected);
        Assert.True(rebuilt.SetEquals(result), $"containers of {text}");
    }

    private static long LargestPlusOne(CompiledQuery query, Dictionary<string, HashSet<uint>> sets)
    {
        long largest = 0;
        foreach (var name in query.Variables)
        {
            if (sets[name].Count > 0)
            {
                largest = Math.Max(largest, sets[name].Max() + 1L);
            }
        }
        return largest;
    }

    private sealed record Inputs(Dictionary<string, HashSet<uint>> Sets, BitmapSet Set, List<Bitmap> Owned) : IDisposable
    {
        public void Dispose() => Owned.ForEach(b => b.Dispose());
    }

    // k bitmaps drawn from one base, so ANDs stay non-empty for a while: per key the base is sparse values,
    // a dense region or a few long runs; each input keeps most base values, adds its own, and sometimes holds
    // a whole range (a run container) or nothing at a key.
    private static Inputs Correlated(Random random, int k, bool sparseOnly = false)
    {
        var keys = random.Next(1, 6);
        var baseValues = new List<uint>[keys];
        for (var key = 0; key < keys; key++)
        {
            var high = (uint)(key * 3 % 7) << 16;
            var values = new List<uint>();
            switch (sparseOnly ? 0 : random.Next(3))
            {
                case 0:
                    // Sparse-only sets are tiny, so wide ORs also take the gather-and-sort path.
                    for (var i = random.Next(1, sparseOnly ? 30 : 600); i > 0; i--)
                    {
                        values.Add(high | (uint)random.Next(65536));
                    }
                    break;
                case 1:
                    var start = random.Next(0, 30000);
                    for (var v = start; v < start + 30000; v++)
                    {
                        if (random.Next(4) != 0)
                        {
                            values.Add(high | (uint)v);
                        }
                    }
                    break;
                default:
                    for (var r = random.Next(1, 5); r > 0; r--)
                    {
                        var at = random.Next(60000);
                        for (var v = at; v < at + random.Next(100, 5000) && v < 65536; v++)
                        {
                            values.Add(high | (uint)v);
                        }
                    }
                    break;
            }
            baseValues[key] = values;
        }
        var sets = new Dictionary<string, HashSet<uint>>();
        var set = new BitmapSet();
        var owned = new List<Bitmap>();
        for (var i = 0; i < k; i++)
        {
            var mine = new HashSet<uint>();
            for (var key = 0; key < keys; key++)
            {
                if (random.Next(10) == 0)
                {
                    continue;
                }
                var keep = 0.75 + (random.NextDouble() * 0.25);
                foreach (var v in baseValues[key])
                {
                    if (random.NextDouble() < keep)
                    {
                        mine.Add(v);
                    }
                }
                var high = baseValues[key].Count > 0 ? baseValues[key][0] & 0xFFFF0000u : 0;
                for (var extra = random.Next(0, sparseOnly ? 4 : 40); extra > 0; extra--)
                {
                    mine.Add(high | (uint)random.Next(65536));
                }
                if (!sparseOnly && random.Next(8) == 0)
                {
                    var at = random.Next(65536);
                    for (var v = at; v < Math.Min(65536, at + random.Next(1, 20000)); v++)
                    {
                        mine.Add(high | (uint)v);
                    }
                }
            }
            var bitmap = Bitmap.FromValues(mine.ToArray());
            if (random.Next(2) == 0)
            {
                bitmap.Optimize();
            }
            sets[$"x{i}"] = mine;
            set[$"x{i}"] = bitmap;
            owned.Add(bitmap);
        }
        return new Inputs(sets, set, owned);
    }
}
