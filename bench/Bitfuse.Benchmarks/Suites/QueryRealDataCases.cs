using Bitfuse.Benchmarks.Compare;
using Roaring.Net.CRoaring;
using Spectre.Console;

namespace Bitfuse.Benchmarks.Suites;

/// <summary>
/// The <c>realdata-*</c> cases of <c>compare query</c>: on every data set (and on the generated
/// <see cref="ShapeData"/> sweep, as <c>realdata-shape-*</c>), windows of k = 2, 4, 8 consecutive bitmaps
/// (disjoint, from the first) with AND-all, OR-all and a mixed expression, as count and materialised; one
/// call runs every window. Plus an OR and an AND over every bitmap of the set (or200 / and200 on the real
/// sets). Baselines: <c>croaring</c> called directly, the fastest of its forms (<see cref="CRoaringQuery"/>:
/// chain with early exit, lazy OR with repair, or_many, or_many_heap, smallest-first AND), and
/// <c>croaring-net</c>, the pairwise chain through Roaring.Net. Every side's inputs are run-optimized, and
/// every side's answer (count, and the values' hash when materialised) is checked on every window before timing.
/// </summary>
public static unsafe class QueryRealDataCases
{
    private const string Croaring = "croaring";
    private const string CroaringNet = "croaring-net";

    /// <summary>The mixed expression over a window of <paramref name="k"/> inputs a0..a(k-1).</summary>
    public static string Mixed(int k) => k switch
    {
        2 => "a0 & !a1",
        4 => "(a0 & a1) | (a2 & !a3)",
        _ => "((a0 & a1) | (a2 & !a3)) & !(a4 & a5) | (a6 ^ a7)",
    };

    /// <summary>Runs every case on every data set of the context, then on the shapes sweep.</summary>
    public static void Run(CompareContext context)
    {
        var engine = new QueryEngine();
        foreach (var dataSet in context.DataSetDirectories())
        {
            RunDataSet(context, engine, Path.GetFileName(dataSet), RealData.LoadValues(dataSet));
        }
        foreach (var shape in ShapeData.Sweep(context.Seed, context.Quick))
        {
            if (QuerySuite.Selected($"realdata-{shape.Name}"))
            {
                context.Console.MarkupLine($"  [grey]{Markup.Escape(shape.Describe())}[/]");
                RunDataSet(context, engine, shape.Name, shape.Generate());
            }
        }
    }

    private static void RunDataSet(CompareContext context, QueryEngine engine, string name, uint[][] values)
    {
        var bitmaps = values.Select(v => Bitmap.FromValues(v)).ToArray();
        var roaring = values.Select(v => Roaring32Bitmap.FromValues(v)).ToArray();
        var direct = values.Select(v => CRoaringDirect.FromValues(v)).ToArray();
        try
        {
            // Every side gets its run-optimized form (CRoaringDirect.FromValues runs run_optimize), as in the
            // bitmaps suite: FromValues alone leaves run-heavy data in arrays and bitsets.
            foreach (var b in bitmaps)
            {
                b.Optimize();
            }
            foreach (var b in roaring)
            {
                b.Optimize();
            }
            foreach (var k in new[] { 2, 4, 8 })
            {
                var windows = bitmaps.Length / k;
                if (windows == 0)
                {
                    continue;
                }
                var sets = new BitmapSet[windows];
                var netSets = new Dictionary<string, Roaring32Bitmap>[windows];
                var directSets = new Dictionary<string, nint>[windows];
                for (var w = 0; w < windows; w++)
                {
                    sets[w] = new BitmapSet();
                    netSets[w] = [];
                    directSets[w] = [];
                    for (var i = 0; i < k; i++)
                    {
                        sets[w][$"a{i}"] = bitmaps[(w * k) + i];
                        netSets[w][$"a{i}"] = roaring[(w * k) + i];
                        directSets[w][$"a{i}"] = direct[(w * k) + i];
                    }
                }
                var names = Enumerable.Range(0, k).Select(i => $"a{i}").ToArray();
                foreach (var (exprName, text) in new[] { ("and", string.Join(" & ", names)), ("or", string.Join(" | ", names)), ("mix", Mixed(k)) })
                {
                    var caseName = $"realdata-{name}-k{k}-{exprName}";
                    if (!QuerySuite.Selected($"{caseName}-write") && !QuerySuite.Selected($"{caseName}-count"))
                    {
                        continue;
                    }
                    var query = engine.Compile(text);
                    MeasureWindows(context, caseName, query, sets, directSets, netSets);
                }
            }
            RunWide(context, engine, name, bitmaps, direct, roaring);
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
            foreach (var d in direct)
            {
                CRoaringDirect.Free(d);
            }
        }
    }

    // Times one expression over every window, write and count, against every CRoaring form and Roaring.Net.
    private static void MeasureWindows(CompareContext context, string caseName, CompiledQuery query, BitmapSet[] sets,
        Dictionary<string, nint>[] directSets, Dictionary<string, Roaring32Bitmap>[] netSets)
    {
        var forms = CRoaringQuery.FormsFor(query.Parsed);
        var direct = forms.Select(f => directSets.Select(s => new CRoaringQuery(query.Parsed, s, 1UL << 32, f)).ToArray()).ToArray();
        var net = netSets.Select(s => new QueryCroaringBaseline(query.Parsed, s, uint.MaxValue)).ToArray();
        for (var w = 0; w < sets.Length; w++)
        {
            using var result = query.Evaluate(sets[w]);
            var written = new List<(string, Answer)> { ("bitfuse", Answer.Of(result)), (CroaringNet, net[w].Result()) };
            var counted = new List<(string, Answer)> { ("bitfuse", Answer.OfCount(query.Count(sets[w]))), (CroaringNet, Answer.OfCount(net[w].Run(count: true))) };
            for (var f = 0; f < forms.Count; f++)
            {
                written.Add(($"croaring {CRoaringQuery.FormName(forms[f])}", direct[f][w].Result()));
                counted.Add(($"croaring {CRoaringQuery.FormName(forms[f])}", Answer.OfCount(direct[f][w].Run(count: true))));
            }
            counted.Add(("bitfuse written", Answer.OfCount(result.Count)));
            CompareContext.Check($"{caseName}-write window {w}", written);
            CompareContext.Check($"{caseName}-count window {w}", counted);
        }
        foreach (var write in new[] { true, false })
        {
            var rowName = $"{caseName}-{(write ? "write" : "count")}";
            if (!QuerySuite.Selected(rowName))
            {
                continue;
            }
            long sink = 0;
            var directForms = new List<(string, Action)>();
            for (var f = 0; f < forms.Count; f++)
            {
                var baselines = direct[f];
                directForms.Add((CRoaringQuery.FormName(forms[f]), () =>
                {
                    foreach (var baseline in baselines)
                    {
                        sink += baseline.Run(count: !write);
                    }
                }
                ));
            }
            context.Measure(rowName,
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
                [
                    new CompareBaseline(Croaring, directForms, "libroaring called directly, run-optimized inputs"),
                    CompareBaseline.Of(CroaringNet, () =>
                    {
                        foreach (var baseline in net)
                        {
                            sink += baseline.Run(count: !write);
                        }
                    }, "Roaring.Net pairwise chain"),
                ],
                operationsPerCall: sets.Length);
            GC.KeepAlive(sink);
        }
    }

    private static void RunWide(CompareContext context, QueryEngine engine, string name, Bitmap[] bitmaps, nint[] direct, Roaring32Bitmap[] roaring)
    {
        var set = new BitmapSet();
        var directSet = new Dictionary<string, nint>();
        for (var i = 0; i < bitmaps.Length; i++)
        {
            set[$"a{i}"] = bitmaps[i];
            directSet[$"a{i}"] = direct[i];
        }
        var names = Enumerable.Range(0, bitmaps.Length).Select(i => $"a{i}").ToArray();
        var rest = roaring[1..];
        foreach (var (op, text) in new[] { ("or", string.Join(" | ", names)), ("and", string.Join(" & ", names)) })
        {
            var caseName = $"realdata-{name}-{op}{bitmaps.Length}";
            if (!QuerySuite.Selected(caseName))
            {
                continue;
            }
            var query = engine.Compile(text);
            var forms = CRoaringQuery.FormsFor(query.Parsed);
            var baselines = forms.Select(f => new CRoaringQuery(query.Parsed, directSet, 1UL << 32, f)).ToArray();
            Roaring32Bitmap Net()
            {
                if (op == "or")
                {
                    return roaring[0].OrMany(rest);
                }
                var r = roaring[0].And(roaring[1]);
                for (var i = 2; i < roaring.Length; i++)
                {
                    r.IAnd(roaring[i]);
                }
                return r;
            }
            using (var result = query.Evaluate(set))
            using (var netResult = Net())
            {
                var answers = new List<(string, Answer)> { ("bitfuse", Answer.Of(result)), (CroaringNet, Answer.Of(netResult.ToArray())) };
                for (var f = 0; f < forms.Count; f++)
                {
                    answers.Add(($"croaring {CRoaringQuery.FormName(forms[f])}", baselines[f].Result()));
                }
                CompareContext.Check(caseName, answers);
            }
            long sink = 0;
            var directForms = new List<(string, Action)>();
            foreach (var (form, baseline) in forms.Zip(baselines))
            {
                directForms.Add((CRoaringQuery.FormName(form), () => sink += baseline.Run(count: false)));
            }
            context.Measure(caseName,
                () =>
                {
                    using var r = query.Evaluate(set);
                    sink += r.Count;
                },
                [
                    new CompareBaseline(Croaring, directForms, "libroaring called directly, run-optimized inputs"),
                    CompareBaseline.Of(CroaringNet, () =>
                    {
                        using var r = Net();
                        sink += (long)r.Count;
                    }, op == "or" ? "Roaring.Net OrMany" : "Roaring.Net pairwise chain, no early exit"),
                ]);
            GC.KeepAlive(sink);
        }
    }
}
