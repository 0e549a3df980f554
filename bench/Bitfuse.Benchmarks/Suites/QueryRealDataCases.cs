using Bitfuse.Benchmarks.Compare;
using Roaring.Net.CRoaring;

namespace Bitfuse.Benchmarks.Suites;

/// <summary>
/// The <c>realdata-*</c> cases of <c>compare query</c>: on every data set, windows of k = 2, 4, 8 consecutive
/// bitmaps (disjoint, from the first) with AND-all, OR-all and a mixed expression, as count and materialised;
/// one call runs every window. Plus a 200-way OR (against CRoaring's <c>OrMany</c>) and a 200-way AND
/// (against the pairwise chain). The answers are checked equal before timing.
/// </summary>
public static class QueryRealDataCases
{
    /// <summary>The mixed expression over a window of <paramref name="k"/> inputs a0..a(k-1).</summary>
    public static string Mixed(int k) => k switch
    {
        2 => "a0 & !a1",
        4 => "(a0 & a1) | (a2 & !a3)",
        _ => "((a0 & a1) | (a2 & !a3)) & !(a4 & a5) | (a6 ^ a7)",
    };

    /// <summary>Runs every case on every data set of the context.</summary>
    public static void Run(CompareContext context)
    {
        var engine = new QueryEngine();
        foreach (var dataSet in context.DataSetDirectories())
        {
            var name = Path.GetFileName(dataSet);
            var values = RealData.LoadValues(dataSet);
            var bitmaps = values.Select(v => Bitmap.FromValues(v)).ToArray();
            var roaring = values.Select(v => Roaring32Bitmap.FromValues(v)).ToArray();
            try
            {
                foreach (var k in new[] { 2, 4, 8 })
                {
                    var windows = bitmaps.Length / k;
                    if (windows == 0)
                    {
                        continue;
                    }
                    var sets = new BitmapSet[windows];
                    var roaringSets = new Dictionary<string, Roaring32Bitmap>[windows];
                    for (var w = 0; w < windows; w++)
                    {
                        sets[w] = new BitmapSet();
                        roaringSets[w] = [];
                        for (var i = 0; i < k; i++)
                        {
                            sets[w][$"a{i}"] = bitmaps[(w * k) + i];
                            roaringSets[w][$"a{i}"] = roaring[(w * k) + i];
                        }
                    }
                    var names = Enumerable.Range(0, k).Select(i => $"a{i}").ToArray();
                    foreach (var (exprName, text) in new[] { ("and", string.Join(" & ", names)), ("or", string.Join(" | ", names)), ("mix", Mixed(k)) })
                    {
                        if (!QuerySuite.Selected($"realdata-{name}-k{k}-{exprName}-write") && !QuerySuite.Selected($"realdata-{name}-k{k}-{exprName}-count"))
                        {
                            continue;
                        }
                        var query = engine.Compile(text);
                        var baselines = roaringSets.Select(s => new QueryCroaringBaseline(query.Parsed, s, uint.MaxValue)).ToArray();
                        for (var w = 0; w < windows; w++)
                        {
                            var expected = baselines[w].Run(count: true);
                            using var result = query.Evaluate(sets[w]);
                            if (query.Count(sets[w]) != expected || result.Count != expected)
                            {
                                throw new InvalidOperationException($"{name} k{k} {exprName} window {w}: bitfuse {result.Count}, croaring {expected}");
                            }
                        }
                        foreach (var write in new[] { true, false })
                        {
                            if (!QuerySuite.Selected($"realdata-{name}-k{k}-{exprName}-{(write ? "write" : "count")}"))
                            {
                                continue;
                            }
                            long sink = 0;
                            context.Measure($"realdata-{name}-k{k}-{exprName}-{(write ? "write" : "count")}",
                                () =>
                                {
                                    foreach (var set in sets)
                                    {
                                        if (write)
                                        {
                                            using var r = query.Evaluate(set);
                                            sink += r.Count;
                                        }
                                        else
                                        {
                                            sink += query.Count(set);
                                        }
                                    }
                                },
                                "croaring",
                                () =>
                                {
                                    foreach (var baseline in baselines)
                                    {
                                        sink += baseline.Run(count: !write);
                                    }
                                },
                                operationsPerCall: windows);
                            GC.KeepAlive(sink);
                        }
                    }
                }
                RunWide(context, engine, name, bitmaps, roaring);
            }
            finally
            {
                foreach (var b in bitmaps)
                {
                    b.Dispose();
                }
                foreach (var r in roaring)
                {
                    r.Dispose();
                }
            }
        }
    }

    private static void RunWide(CompareContext context, QueryEngine engine, string name, Bitmap[] bitmaps, Roaring32Bitmap[] roaring)
    {
        var set = new BitmapSet();
        for (var i = 0; i < bitmaps.Length; i++)
        {
            set[$"a{i}"] = bitmaps[i];
        }
        var names = Enumerable.Range(0, bitmaps.Length).Select(i => $"a{i}").ToArray();
        var or = engine.Compile(string.Join(" | ", names));
        var and = engine.Compile(string.Join(" & ", names));
        var rest = roaring[1..];
        using (var check = roaring[0].OrMany(rest))
        {
            if ((long)check.Count != or.Count(set))
            {
                throw new InvalidOperationException($"{name} or{bitmaps.Length}: bitfuse and croaring differ");
            }
        }
        long sink = 0;
        if (QuerySuite.Selected($"realdata-{name}-or{bitmaps.Length}"))
        {
            context.Measure($"realdata-{name}-or{bitmaps.Length}",
                () =>
                {
                    using var r = or.Evaluate(set);
                    sink += r.Count;
                },
                "croaring",
                () =>
                {
                    using var r = roaring[0].OrMany(rest);
                    sink += (long)r.Count;
                });
        }
        if (QuerySuite.Selected($"realdata-{name}-and{bitmaps.Length}"))
        {
            context.Measure($"realdata-{name}-and{bitmaps.Length}",
                () =>
                {
                    using var r = and.Evaluate(set);
                    sink += r.Count;
                },
                "croaring",
                () =>
                {
                    using var r = roaring[0].And(roaring[1]);
                    for (var i = 2; i < roaring.Length; i++)
                    {
                        r.IAnd(roaring[i]);
                    }
                    sink += (long)r.Count;
                });
        }
        GC.KeepAlive(sink);
    }
}
