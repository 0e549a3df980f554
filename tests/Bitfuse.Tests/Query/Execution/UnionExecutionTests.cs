namespace Bitfuse.Tests.Query.Execution;

/// <summary>
/// The OR of three or more inputs (<c>UnionExecution</c>) against the <see cref="HashSet{T}"/> model, with keys
/// shaped to reach each of its paths: gathered few values, arrays over a narrow span that fills up (the span
/// becomes one run), bitsets that fill the whole key, an input that is already full, runs, answers whose inputs
/// hold more than an array's worth of values but whose union fits in an array (built in place, then extracted),
/// answers that stay bitsets, absent inputs, and values up to the top of the universe.
/// </summary>
public class UnionExecutionTests
{
    private enum KeyShape
    {
        FewValues,
        NarrowSpanFills,
        NarrowSpanGaps,
        BitsetsFill,
        OneFull,
        Runs,
        OverlappingArrays,
        SparseMany,
    }

    [Fact]
    public void Or_of_many_inputs_matches_the_model_on_every_path()
    {
        var random = new Random(21);
        var engine = new QueryEngine();
        for (var trial = 0; trial < 30; trial++)
        {
            // Up to 16 inputs merge keys; more are bucketed.
            var k = trial % 3 == 0 ? random.Next(17, 33) : random.Next(3, 17);
            var (sets, bitmaps, owned) = Build(random, k);
            try
            {
                var names = Enumerable.Range(0, k).Select(i => $"x{i}").ToArray();
                var query = engine.Compile(string.Join(" | ", names));
                var expected = new HashSet<uint>();
                foreach (var name in names)
                {
                    expected.UnionWith(sets[name]);
                }
                var sorted = expected.Order().ToArray();
                Assert.Equal(sorted.Length, query.Count(bitmaps));
                using (var result = query.Evaluate(bitmaps))
                {
                    Assert.Equal(sorted, result.ToArray());
                    using var rebuilt = Bitmap.FromValues(sorted);
                    Assert.True(rebuilt.SetEquals(result), $"trial {trial}: containers");
                }
                var streamed = new List<uint>();
                query.ForEach(bitmaps, streamed.Add);
                Assert.Equal(sorted, streamed);
                Assert.Equal(sorted.Length > 0, query.Any(bitmaps));

                // A universe that holds every value keeps the direct path; one that cuts goes to the planner.
                var cut = sorted.Length > 0 ? sorted[sorted.Length / 2] : 1u;
                var within = sorted.Where(v => v < cut).ToArray();
                Assert.Equal(sorted.Length, query.Count(bitmaps, new QueryRunOptions { UniverseEnd = 1L << 32 }));
                Assert.Equal(within.Length, query.Count(bitmaps, new QueryRunOptions { UniverseEnd = cut }));
                using var clipped = query.Evaluate(bitmaps, new QueryRunOptions { UniverseEnd = cut });
                Assert.Equal(within, clipped.ToArray());
            }
            finally
            {
                owned.ForEach(b => b.Dispose());
            }
        }
    }

    [Fact]
    public void Inputs_that_fill_their_span_give_one_run_per_key()
    {
        // Three inputs of alternating thirds of [1000, 9000] on key 0 (more values than one array merge takes),
        // and whole-key bitsets on key 1 whose union is full: both answers are ranges, stored as one run each.
        var a = new List<uint>();
        var b = new List<uint>();
        var c = new List<uint>();
        for (var v = 1000u; v <= 9000; v++)
        {
            (v % 3 == 0 ? a : v % 3 == 1 ? b : c).Add(v);
        }
        for (var v = 65536u; v < 131072; v++)
        {
            (v % 2 == 0 ? a : b).Add(v);
            if (v % 5 == 0)
            {
                c.Add(v);
            }
        }
        using var x = Bitmap.FromValues(a.ToArray());
        using var y = Bitmap.FromValues(b.ToArray());
        using var z = Bitmap.FromValues(c.ToArray());
        var inputs = new BitmapSet { ["x"] = x, ["y"] = y, ["z"] = z };
        var query = new QueryEngine().Compile("x | y | z");
        Assert.Equal(8001 + 65536, query.Count(inputs));
        using var result = query.Evaluate(inputs);
        var statistics = result.GetStatistics();
        Assert.Equal(2, statistics.RunContainers);
        Assert.Equal(8001 + 65536, result.Count);
        Assert.Equal(Enumerable.Range(1000, 8001).Select(v => (uint)v).Concat(Enumerable.Range(65536, 65536).Select(v => (uint)v)), result.ToArray());
    }

    [Fact]
    public void Overlapping_inputs_beyond_an_array_that_union_to_an_array_stay_an_array()
    {
        // 3 x 3000 values (more than 4096 together) with the same 3500 distinct values: built as a bitset in
        // place, answered as an array container.
        var random = new Random(22);
        var pool = Enumerable.Range(0, 3500).Select(i => (uint)(i * 18 + random.Next(18))).ToArray();
        var parts = Enumerable.Range(0, 3).Select(p => pool.Where((_, i) => (i + p) % 7 != 0).Take(3000).ToArray()).ToArray();
        var expected = parts.SelectMany(p => p).Distinct().Order().ToArray();
        using var x = Bitmap.FromValues(parts[0]);
        using var y = Bitmap.FromValues(parts[1]);
        using var z = Bitmap.FromValues(parts[2]);
        var inputs = new BitmapSet { ["x"] = x, ["y"] = y, ["z"] = z };
        var query = new QueryEngine().Compile("x | y | z");
        using var result = query.Evaluate(inputs);
        Assert.Equal(expected, result.ToArray());
        Assert.Equal(1, result.GetStatistics().ArrayContainers);
        Assert.Equal(expected.Length, query.Count(inputs));
    }

    [Fact]
    public void Arrays_of_very_different_lengths_merge_to_the_model()
    {
        // Two or three arrays per key, one long and the others a few values (inside, before, after and equal to
        // the long one's), or all of similar length: the galloping and the vector merges, as count and answer.
        var random = new Random(23);
        var engine = new QueryEngine();
        for (var trial = 0; trial < 200; trial++)
        {
            var k = 2 + (trial % 7);
            var sets = Enumerable.Range(0, k).Select(_ => new HashSet<uint>()).ToArray();
            var high = (uint)random.Next(3) << 16;
            var longOne = Enumerable.Range(0, random.Next(1, 3000)).Select(_ => (uint)random.Next(1000, 60000)).ToHashSet();
            sets[0].UnionWith(longOne.Select(v => high | v));
            for (var i = 1; i < k; i++)
            {
                var few = trial % 3 == 0 ? random.Next(1, 3000) : random.Next(1, 9);
                for (var j = 0; j < few; j++)
                {
                    sets[i].Add(high | (random.Next(4) switch
                    {
                        0 => (uint)random.Next(0, 1000),
                        1 => (uint)random.Next(60000, 65536),
                        2 when longOne.Count > 0 => longOne.ElementAt(random.Next(longOne.Count)),
                        _ => (uint)random.Next(65536),
                    }));
                }
            }
            var bitmaps = new BitmapSet();
            var owned = sets.Select(set => Bitmap.FromValues(set.ToArray())).ToList();
            try
            {
                for (var i = 0; i < k; i++)
                {
                    bitmaps[$"x{i}"] = owned[i];
                }
                var query = engine.Compile(string.Join(" | ", Enumerable.Range(0, k).Select(i => $"x{i}")));
                var expected = sets.SelectMany(set => set).Distinct().Order().ToArray();
                Assert.Equal(expected.Length, query.Count(bitmaps));
                using var result = query.Evaluate(bitmaps);
                Assert.Equal(expected, result.ToArray());
            }
            finally
            {
                owned.ForEach(b => b.Dispose());
            }
        }
    }

    private static (Dictionary<string, HashSet<uint>> Sets, BitmapSet Bitmaps, List<Bitmap> Owned) Build(Random random, int k)
    {
        var sets = new Dictionary<string, HashSet<uint>>();
        for (var i = 0; i < k; i++)
        {
            sets[$"x{i}"] = [];
        }
        var keys = random.Next(1, 7);
        for (var n = 0; n < keys; n++)
        {
            // Keys spread up to the top one, so values reach 2^32 - 1.
            var key = n == keys - 1 && random.Next(3) == 0 ? 65535u : (uint)random.Next(0, 40);
            var high = key << 16;
            var shape = (KeyShape)random.Next(Enum.GetValues<KeyShape>().Length);
            var lo = random.Next(0, 60000);
            var width = random.Next(1, 65536 - lo);
            for (var i = 0; i < k; i++)
            {
                var mine = sets[$"x{i}"];
                if (random.Next(6) == 0)
                {
                    continue;
                }
                switch (shape)
                {
                    case KeyShape.FewValues:
                        for (var j = random.Next(1, 8); j > 0; j--)
                        {
                            mine.Add(high | (uint)random.Next(65536));
                        }
                        break;
                    case KeyShape.NarrowSpanFills:
                    case KeyShape.NarrowSpanGaps:
                        // Each input holds about half of [lo, lo + w]; the union fills it unless one value is kept out.
                        var w = Math.Min(width, 3000);
                        var hole = shape == KeyShape.NarrowSpanGaps ? lo + random.Next(w) : -1;
                        for (var v = lo; v <= lo + w; v++)
                        {
                            if (v != hole && random.Next(2) == 0)
                            {
                                mine.Add(high | (uint)v);
                            }
                        }
                        break;
                    case KeyShape.BitsetsFill:
                        // A few dense inputs fill the key; the rest add scattered values the fill already covers.
                        for (var v = 0; v < 65536; v++)
                        {
                            if (i < 6 ? random.Next(3) != 0 : v % 997 == i)
                            {
                                mine.Add(high | (uint)v);
                            }
                        }
                        break;
                    case KeyShape.OneFull:
                        var all = i == 0 ? 65536 : random.Next(1, 300);
                        for (var v = 0; v < all; v++)
                        {
                            mine.Add(high | (uint)(i == 0 ? v : random.Next(65536)));
                        }
                        break;
                    case KeyShape.Runs:
                        for (var r = random.Next(1, 6); r > 0; r--)
                        {
                            var at = random.Next(65536);
                            for (var v = at; v < Math.Min(65536, at + random.Next(1, 9000)); v++)
                            {
                                mine.Add(high | (uint)v);
                            }
                        }
                        break;
                    case KeyShape.OverlappingArrays:
                        for (var v = lo; v < Math.Min(65536, lo + 5000); v++)
                        {
                            if ((v & 1) == 0 && random.Next(5) != 0)
                            {
                                mine.Add(high | (uint)v);
                            }
                        }
                        break;
                    default:
                        for (var j = random.Next(50, 2000); j > 0; j--)
                        {
                            mine.Add(high | (uint)random.Next(65536));
                        }
                        break;
                }
            }
        }
        var bitmaps = new BitmapSet();
        var owned = new List<Bitmap>();
        foreach (var (name, values) in sets)
        {
            var bitmap = Bitmap.FromValues(values.ToArray());
            if (random.Next(2) == 0)
            {
                bitmap.Optimize();
            }
            bitmaps[name] = bitmap;
            owned.Add(bitmap);
        }
        return (sets, bitmaps, owned);
    }
}
