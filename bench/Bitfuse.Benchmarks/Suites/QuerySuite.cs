using System.Diagnostics;
using System.Numerics;
using Bitfuse.Benchmarks.Compare;
using Bitfuse.Query.Compilation;
using Bitfuse.Query.Syntax;
using Roaring.Net.CRoaring;
using Spectre.Console;

namespace Bitfuse.Benchmarks.Suites;

/// <summary>
/// <c>compare query</c>: the query engine against pairwise evaluation.
/// <list type="bullet">
/// <item><c>dense-&lt;expr&gt;-&lt;size&gt;-&lt;write|count&gt;</c>: a compiled query in dense mode over random bitsets
/// against <c>tensorprimitives</c>, <c>croaring</c> and <c>read-limit</c> (one streaming pass over the inputs,
/// plus one store for writes, non-temporal for outputs of 1 MiB or more: the least memory traffic the case needs).</item>
/// <item><c>compile-first</c>, <c>compile-cached</c>: parse + optimize + generate + JIT a 16-input query, and a cache hit (absolute).</item>
/// <item><c>jitmap-and&lt;n&gt;-&lt;count|nocount&gt;</c>: jitmap's benchmark shape, n-way AND over one 8 KiB container, against a scalar loop.</item>
/// <item><c>realdata-*</c>: Roaring bitmaps from the real data sets against CRoaring (see <see cref="QueryRealDataCases"/>).</item>
/// </list>
/// With <c>--quick</c>, the 64 MiB cases take one warm-up call and then the runner's rounds of one call per side,
/// and <c>mix16</c> at 64 MiB runs in full mode only (building its 16 CRoaring baselines alone takes ~20 s).
/// <para>
/// For iterating on one family, the environment variable <c>BITFUSE_QUERY_CASES</c> keeps only the cases whose
/// name contains one of its comma-separated parts (for example <c>census1881-k2,or200</c>); families
/// (compile, jitmap, dense, realdata) that no part can match are not even set up. Unset or empty: every case.
/// </para>
/// </summary>
public sealed unsafe class QuerySuite : ICompareSuite
{
    /// <summary>The dense expressions, by case name. Inputs are named a0, a1, ... in order of appearance.</summary>
    public static readonly (string Name, string Text)[] Expressions =
    [
        ("and2", "a0 & a1"),
        ("mix4", "(a0 & a1) | (a2 & !a3)"),
        ("and8", "a0 & a1 & a2 & a3 & a4 & a5 & a6 & a7"),
        ("mix16", "((a0 & a1) | (a2 & !a3)) & ((a4 | a5) ^ (a6 & a7)) | ((a8 & !a9) | (a10 ^ a11)) & !(a12 & (a13 | a14) & !a15)"),
    ];

    /// <summary>The 16-input query the compile cases use.</summary>
    public const string CompileText = "((a0 & a1) | (a2 & !a3)) & ((a4 | a5) ^ (a6 & a7)) | ((a8 & !a9) | (a10 ^ a11)) & !(a12 & (a13 | a14) & !a15)";

    /// <inheritdoc />
    public string Name => "query";

    /// <inheritdoc />
    public string Description => "fused compiled queries: dense bitsets vs TensorPrimitives/CRoaring/read limit, compile time, jitmap's n-way AND";

    /// <inheritdoc />
    public void Run(CompareContext context)
    {
        if (SelectedFamily("compile"))
        {
            RunCompile(context);
        }
        if (SelectedFamily("jitmap"))
        {
            RunJitmap(context);
        }
        if (SelectedFamily("dense"))
        {
            RunDense(context);
        }
        if (SelectedFamily("realdata"))
        {
            QueryRealDataCases.Run(context);
        }
    }

    /// <summary>True when <c>BITFUSE_QUERY_CASES</c> is unset or empty, or one of its comma-separated parts occurs in <paramref name="caseName"/>.</summary>
    public static bool Selected(string caseName)
    {
        var parts = FilterParts();
        if (parts.Length == 0)
        {
            return true;
        }
        foreach (var part in parts)
        {
            if (caseName.Contains(part, StringComparison.Ordinal))
            {
                return true;
            }
        }
        return false;
    }

    // A family runs when there is no filter, when a part names it, or (for realdata, whose cases carry data set
    // names such as "census1881-k2" or "or200") when some part names none of the other families.
    private static bool SelectedFamily(string family)
    {
        var parts = FilterParts();
        if (parts.Length == 0)
        {
            return true;
        }
        foreach (var part in parts)
        {
            var other = part.StartsWith("compile", StringComparison.Ordinal) || part.StartsWith("jitmap", StringComparison.Ordinal)
                || part.StartsWith("dense", StringComparison.Ordinal);
            if (part.StartsWith(family, StringComparison.Ordinal) || (family == "realdata" && !other))
            {
                return true;
            }
        }
        return false;
    }

    private static string[] FilterParts() =>
        (Environment.GetEnvironmentVariable("BITFUSE_QUERY_CASES") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static void RunDense(CompareContext context)
    {
        var engine = new QueryEngine();
        foreach (var (sizeName, bytes) in LimitSuite.Sizes)
        {
            foreach (var (exprName, text) in Expressions)
            {
                if (!Selected($"dense-{exprName}-{sizeName}-write") && !Selected($"dense-{exprName}-{sizeName}-count"))
                {
                    continue;
                }
                var query = engine.Compile(text);
                var count = query.Variables.Count;
                if (context.Quick && bytes >= 64 << 20 && count > 8)
                {
                    // Building 16 CRoaring bitmaps from 64 MiB of random bits each takes about 20 s alone.
                    context.Console.MarkupLine($"  [grey]dense-{exprName}-{sizeName}: full mode only (its baselines take ~20 s to build)[/]");
                    continue;
                }
                var buffers = new NativeBuffer[count];
                for (var i = 0; i < count; i++)
                {
                    buffers[i] = new NativeBuffer(bytes, seed: 100 + i);
                }
                using var output = new NativeBuffer(bytes, seed: 0);
                var words = buffers[0].Words;
                var pointers = buffers.Select(b => (nint)b.Pointer).ToArray();
                var rawInputs = Raw(buffers);
                var byName = new Dictionary<string, nint>();
                var roaring = new Dictionary<string, Roaring32Bitmap>();
                for (var i = 0; i < count; i++)
                {
                    byName[query.Variables[i]] = pointers[i];
                    roaring[query.Variables[i]] = QueryCroaringBaseline.FromWords(buffers[i].Span);
                }
                using var tensor = new QueryTensorBaseline(query.Parsed, byName, bytes);
                var croaring = new QueryCroaringBaseline(query.Parsed, roaring, checked((uint)(bytes * 8)));

                // The three agree before anything is timed.
                var fused = query.RunDenseUnsafe(pointers, output.Pointer, words, KernelVariant.WriteCount);
                var expected = tensor.Run(count: true);
                if (fused != expected || croaring.Run(count: true) != expected || croaring.Run(count: false) != expected
                    || !output.Span.SequenceEqual(tensor.Result))
                {
                    throw new InvalidOperationException($"dense {exprName} {sizeName}: results differ (bitfuse {fused}, tensorprimitives {expected})");
                }

                foreach (var write in new[] { true, false })
                {
                    var mode = write ? "write" : "count";
                    if (!Selected($"dense-{exprName}-{sizeName}-{mode}"))
                    {
                        continue;
                    }
                    var variant = write ? KernelVariant.Write : KernelVariant.Count;
                    long sink = 0;
                    Action[] sides =
                    [
                        () => sink += query.RunDenseUnsafe(pointers, output.Pointer, words, variant),
                        () => sink += tensor.Run(!write),
                        () => sink += croaring.Run(!write),
                        () => sink += (long)MemoryLimits.ReadInputsWriteOne(rawInputs, write ? output.Pointer : null, words),
                    ];
                    var medians = context.Quick && bytes >= 64 << 20 ? QuickMedians(sides, context.Rounds) : context.MeasureSides(sides);
                    var caseName = $"dense-{exprName}-{sizeName}-{mode}";
                    var extra = new Dictionary<string, double>
                    {
                        ["inputs"] = count,
                        ["bytes_per_input"] = bytes,
                        ["subject_gbps"] = bytes * (double)count / medians[0],
                    };
                    context.Record(CompareResult.Of(context.Suite, caseName, "tensorprimitives", medians[0], medians[1], rounds: context.Rounds, extra: extra,
                        note: "pairwise TensorPrimitives with full temporaries"));
                    context.Record(CompareResult.Of(context.Suite, caseName, "croaring", medians[0], medians[2], rounds: context.Rounds, extra: extra,
                        note: "Roaring.Net pairwise (in place after the first op, *Count at the root when counting)"));
                    context.Record(CompareResult.Of(context.Suite, caseName, "read-limit", medians[0], medians[3], rounds: context.Rounds, extra: extra,
                        note: "one streaming read of every input" + (write ? " and one store (non-temporal from 1 MiB, as the kernels)" : "")));
                    GC.KeepAlive(sink);
                }
                foreach (var bitmap in roaring.Values)
                {
                    bitmap.Dispose();
                }
                foreach (var buffer in buffers)
                {
                    buffer.Dispose();
                }
            }
        }
    }

    private static void RunCompile(CompareContext context)
    {
        using var scratch = new NativeBuffer(64, seed: 3);
        var inputs = new nint[16];
        for (var i = 0; i < inputs.Length; i++)
        {
            inputs[i] = (nint)scratch.Pointer;
        }
        var output = new ulong[8];
        var first = context.MeasureSides(
        [
            () =>
            {
                var engine = new QueryEngine();
                var query = engine.Compile(CompileText);
                fixed (ulong* o = output)
                {
                    query.RunDenseUnsafe(inputs, o, 8, KernelVariant.Write);
                }
            },
        ]);
        context.Record(CompareResult.Of(context.Suite, "compile-first", "none", first[0], 0, rounds: context.Rounds,
            note: "new engine: parse, optimize, emit IL, JIT on the first call over 64 bytes"));

        var warm = new QueryEngine();
        warm.Compile(CompileText).GetKernel(KernelVariant.Write);
        var renamed = CompileText.Replace("a", "z", StringComparison.Ordinal);
        var cached = context.MeasureSides(
        [
            () => warm.Compile(CompileText).GetKernel(KernelVariant.Write),
            () => new QueryEngine().Compile(renamed),
        ]);
        var shapeHit = context.MeasureSides([() => ShapeHit(warm, renamed)]);
        context.Record(CompareResult.Of(context.Suite, "compile-cached", "none", cached[0], 0, rounds: context.Rounds,
            extra: new Dictionary<string, double> { ["parse_optimize_ns"] = cached[1], ["shape_hit_ns"] = shapeHit[0] },
            note: "same text: query cache hit; extra: parse+optimize alone, and a renamed query that hits the kernel cache by shape"));
    }

    private static void ShapeHit(QueryEngine warm, string renamed)
    {
        // A fresh engine per call would compile; instead parse+optimize the renamed text and look the shape up in the warm cache.
        var pool = new ExprPool();
        var tree = Parser.Parse(renamed, pool, QueryLimits.Default, out _);
        var optimized = Bitfuse.Query.Optimization.Optimizer.Optimize(tree, pool);
        var form = Bitfuse.Query.Optimization.CanonicalForm.Of(optimized, pool);
        warm.Kernels.Get(form, KernelVariant.Write);
    }

    private static void RunJitmap(CompareContext context)
    {
        const int Words = 1024;
        var engine = new QueryEngine();
        foreach (var n in new[] { 2, 4, 8 })
        {
            var names = Enumerable.Range(0, n).Select(i => $"a{i}").ToArray();
            var query = engine.Compile(string.Join(" & ", names));
            var buffers = Enumerable.Range(0, n).Select(i => new NativeBuffer(Words * 8, seed: 7 + i)).ToArray();
            // Dense inputs so the AND keeps bits: OR in a common pattern.
            for (var i = 0; i < n; i++)
            {
                var span = buffers[i].Span;
                for (var w = 0; w < Words; w++)
                {
                    span[w] |= 0x5555_5555_5555_5555UL;
                }
            }
            using var output = new NativeBuffer(Words * 8, seed: 0);
            var pointers = buffers.Select(b => (nint)b.Pointer).ToArray();
            var raw = Raw(buffers);
            var fused = query.RunDenseUnsafe(pointers, output.Pointer, Words, KernelVariant.WriteCount);
            if (fused != ScalarAnd(raw, output.Pointer, Words, count: true))
            {
                throw new InvalidOperationException($"jitmap and{n}: the kernel and the scalar loop disagree");
            }
            foreach (var count in new[] { true, false })
            {
                long sink = 0;
                var variant = count ? KernelVariant.WriteCount : KernelVariant.Write;
                context.Measure($"jitmap-and{n}-{(count ? "count" : "nocount")}",
                    () => sink += query.RunDenseUnsafe(pointers, output.Pointer, Words, variant),
                    "scalar", () => sink += ScalarAnd(raw, output.Pointer, Words, count));
                GC.KeepAlive(sink);
            }
            foreach (var buffer in buffers)
            {
                buffer.Dispose();
            }
        }
    }

    private static ulong*[] Raw(NativeBuffer[] buffers)
    {
        var raw = new ulong*[buffers.Length];
        for (var i = 0; i < buffers.Length; i++)
        {
            raw[i] = buffers[i].Pointer;
        }
        return raw;
    }

    /// <summary>The plain loop: one 64-bit word at a time, AND over the inputs, store, optional popcount.</summary>
    private static long ScalarAnd(ulong*[] inputs, ulong* output, int words, bool count)
    {
        long total = 0;
        for (var i = 0; i < words; i++)
        {
            var r = inputs[0][i];
            for (var k = 1; k < inputs.Length; k++)
            {
                r &= inputs[k][i];
            }
            output[i] = r;
            if (count)
            {
                total += BitOperations.PopCount(r);
            }
        }
        return total;
    }

    // One warm-up call per side, then the runner's interleaved rounds of one call each (no calibration call):
    // for inputs so large that one call takes tens of milliseconds, so --quick stays near a minute.
    private static double[] QuickMedians(Action[] sides, int rounds)
    {
        foreach (var side in sides)
        {
            side();
        }
        var samples = sides.Select(_ => new List<double>()).ToArray();
        for (var round = 0; round < rounds; round++)
        {
            for (var s = 0; s < sides.Length; s++)
            {
                var start = Stopwatch.GetTimestamp();
                sides[s]();
                samples[s].Add(Stopwatches.ElapsedNs(start));
            }
        }
        return samples.Select(Stopwatches.Median).ToArray();
    }
}
