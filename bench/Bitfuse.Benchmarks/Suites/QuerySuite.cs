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
/// <item><c>first-query-&lt;xor|andnot&gt;1024</c>: a 1,024-input chain (<c>a0 ^ a1 ^ ...</c>, <c>a0 - a1 - ...</c>) over
/// bitmaps of 20,000 random values below 2^20 (16 array containers each): a fresh engine's compile and first count
/// against the chain folded pairwise with <c>Bitmap</c> operations (one call per sample).</item>
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

    /// <summary>The block of the <c>blocked-pairwise</c> baseline: 8 KiB, so its temporaries stay in L1.</summary>
    public const long BlockBytes = 8 << 10;

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
        if (SelectedFamily("first-query"))
        {
            RunFirstQuery(context);
        }
        if (SelectedFamily("jitmap"))
        {
            RunJitmap(context);
        }
        if (SelectedFamily("call-overhead"))
        {
            RunCallOverhead(context);
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
    public static bool Selected(string caseName) => CaseFilter.Selected("BITFUSE_QUERY_CASES", caseName);

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
                || part.StartsWith("first-query", StringComparison.Ordinal)
                || part.StartsWith("dense", StringComparison.Ordinal) || part.StartsWith("call-overhead", StringComparison.Ordinal);
            if (part.StartsWith(family, StringComparison.Ordinal) || (family == "realdata" && !other))
            {
                return true;
            }
        }
        return false;
    }

    private static string[] FilterParts() => CaseFilter.Parts("BITFUSE_QUERY_CASES");

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
                using var blockedOutput = new NativeBuffer(bytes, seed: 0);
                var words = buffers[0].Words;
                var pointers = buffers.Select(b => (nint)b.Pointer).ToArray();
                var rawInputs = Raw(buffers);
                var byName = new Dictionary<string, nint>();
                var roaring = new Dictionary<string, Roaring32Bitmap>();
                var direct = new Dictionary<string, nint>();
                for (var i = 0; i < count; i++)
                {
                    byName[query.Variables[i]] = pointers[i];
                    var bitmap = QueryCroaringBaseline.FromWords(buffers[i].Span);
                    roaring[query.Variables[i]] = bitmap;
                    var portable = bitmap.Serialize(SerializationFormat.Portable);
                    fixed (byte* p = portable)
                    {
                        direct[query.Variables[i]] = CRoaringDirect.PortableDeserializeSafe(p, (nuint)portable.Length);
                    }
                }
                using var tensor = new QueryTensorBaseline(query.Parsed, byName, bytes);
                using var blocked = new QueryTensorBaseline(query.Parsed, byName, bytes, BlockBytes, blockedOutput.Pointer);
                var croaringNet = new QueryCroaringBaseline(query.Parsed, roaring, checked((uint)(bytes * 8)));
                var forms = CRoaringQuery.FormsFor(query.Parsed);
                var croaring = forms.Select(f => new CRoaringQuery(query.Parsed, direct, (ulong)bytes * 8, f)).ToArray();

                // Every side agrees before anything is timed: the count, and the written words or values.
                var fused = query.RunDenseUnsafe(pointers, output.Pointer, words, KernelVariant.WriteCount);
                var expected = tensor.Run(count: true);
                var blockedCount = blocked.Run(count: true);
                var resultBitmap = QueryCroaringBaseline.FromWords(output.Span);
                var written = Answer.Of(resultBitmap.ToArray());
                resultBitmap.Dispose();
                var answers = new List<(string, Answer)>
                {
                    ("bitfuse", Answer.OfCount(fused)), ("tensorprimitives", Answer.OfCount(expected)), ("blocked-pairwise", Answer.OfCount(blockedCount)),
                    ("croaring-net", Answer.OfCount(croaringNet.Run(count: true))), ("croaring-net written", Answer.OfCount(croaringNet.Run(count: false))),
                };
                foreach (var (form, baseline) in forms.Zip(croaring))
                {
                    answers.Add(($"croaring {CRoaringQuery.FormName(form)}", Answer.OfCount(baseline.Run(count: true))));
                }
                CompareContext.Check($"dense-{exprName}-{sizeName} count", answers);
                var contents = new List<(string, Answer)> { ("bitfuse", written), ("croaring-net", croaringNet.Result()) };
                foreach (var (form, baseline) in forms.Zip(croaring))
                {
                    contents.Add(($"croaring {CRoaringQuery.FormName(form)}", baseline.Result()));
                }
                CompareContext.Check($"dense-{exprName}-{sizeName} values", contents);
                if (!output.Span.SequenceEqual(tensor.Result) || !output.Span.SequenceEqual(blockedOutput.Span))
                {
                    throw new AnswerMismatchException($"dense-{exprName}-{sizeName}: the written words of bitfuse, tensorprimitives and blocked-pairwise differ");
                }

                foreach (var write in new[] { true, false })
                {
                    var mode = write ? "write" : "count";
                    var caseName = $"dense-{exprName}-{sizeName}-{mode}";
                    if (!Selected(caseName))
                    {
                        continue;
                    }
                    var variant = write ? KernelVariant.Write : KernelVariant.Count;
                    using var blockedSide = write ? null : new QueryTensorBaseline(query.Parsed, byName, bytes, BlockBytes);
                    var blockedRun = blockedSide ?? blocked;
                    long sink = 0;
                    var extra = new Dictionary<string, double> { ["inputs"] = count, ["bytes_per_input"] = bytes };
                    var limitForms = MemoryLimits.ReadLimitForms(rawInputs, write ? output.Pointer : null, words)
                        .Select(f => (f.Form, (Action)(() => sink += (long)f.Run()))).ToList();
                    var rows = context.Measure(caseName, () => sink += query.RunDenseUnsafe(pointers, output.Pointer, words, variant),
                    [
                        CompareBaseline.Of("tensorprimitives", () => sink += tensor.Run(!write), "pairwise TensorPrimitives with full temporaries"),
                        CompareBaseline.Of("blocked-pairwise", () => sink += blockedRun.Run(!write),
                            "pairwise TensorPrimitives 8 KiB block by block, L1-resident temporaries, the root written straight to the output"),
                        new CompareBaseline("croaring", forms.Zip(croaring).Select(f => (CRoaringQuery.FormName(f.First), (Action)(() => sink += f.Second.Run(!write)))).ToList(),
                            "libroaring called directly (in place after the first op, *_cardinality at the root when counting)"),
                        CompareBaseline.Of("croaring-net", () => sink += croaringNet.Run(!write), "Roaring.Net pairwise"),
                        new CompareBaseline(CompareContext.ReadLimit, limitForms,
                            "one streaming read of every input" + (write ? " and one store (non-temporal from 1 MiB, as the kernels)" : "") +
                            ", best of several unrolled multi-accumulator loops"),
                    ], extra: extra, singleCalls: context.Quick && bytes >= 64 << 20);
                    context.Console.MarkupLine($"  [grey]{caseName}: {bytes * (double)count / rows[0].SubjectNs:F1} GB/s[/]");
                    GC.KeepAlive(sink);
                }
                foreach (var bitmap in roaring.Values)
                {
                    bitmap.Dispose();
                }
                foreach (var bitmap in direct.Values)
                {
                    CRoaringDirect.Free(bitmap);
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

    private static void RunFirstQuery(CompareContext context)
    {
        const int Inputs = 1024;
        const int ValuesPerInput = 20_000;
        var random = new Random(context.Seed);
        var bitmaps = new Bitmap[Inputs];
        var set = new BitmapSet();
        var values = new uint[ValuesPerInput];
        for (var i = 0; i < Inputs; i++)
        {
            for (var v = 0; v < values.Length; v++)
            {
                values[v] = (uint)random.Next(1 << 20);
            }
            bitmaps[i] = Bitmap.FromValues(values);
            set.Add($"a{i}", bitmaps[i]);
        }
        try
        {
            foreach (var (name, op) in new[] { ("xor", "^"), ("andnot", "-") })
            {
                var caseName = $"first-query-{name}{Inputs}";
                if (!Selected(caseName))
                {
                    continue;
                }
                var text = string.Join($" {op} ", Enumerable.Range(0, Inputs).Select(i => $"a{i}"));
                long FirstCount() => new QueryEngine().Compile(text).Count(set);
                long Pairwise()
                {
                    var accumulator = bitmaps[0].Or(bitmaps[0]);
                    for (var i = 1; i < Inputs; i++)
                    {
                        var next = op == "^" ? accumulator.Xor(bitmaps[i]) : accumulator.AndNot(bitmaps[i]);
                        accumulator.Dispose();
                        accumulator = next;
                    }
                    var count = accumulator.Count;
                    accumulator.Dispose();
                    return count;
                }
                CompareContext.Check(caseName, [("bitfuse", Answer.OfCount(FirstCount())), ("pairwise", Answer.OfCount(Pairwise()))]);
                long sink = 0;
                context.Measure(caseName, () => sink += FirstCount(),
                    [CompareBaseline.Of("pairwise", () => sink += Pairwise())],
                    note: "bitfuse: a new engine parses, optimizes and answers its first count; pairwise: Bitmap ops folded left, counted at the end",
                    singleCalls: true);
                GC.KeepAlive(sink);
            }
        }
        finally
        {
            set.Dispose();
            foreach (var bitmap in bitmaps)
            {
                bitmap.Dispose();
            }
        }
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
            using var scalarOutput = new NativeBuffer(Words * 8, seed: 0);
            using var handOutput = new NativeBuffer(Words * 8, seed: 0);
            var fused = query.RunDenseUnsafe(pointers, output.Pointer, Words, KernelVariant.WriteCount);
            CompareContext.Check($"jitmap-and{n}",
            [
                ("bitfuse", Answer.OfCount(fused)), ("scalar", Answer.OfCount(ScalarAnd(raw, scalarOutput.Pointer, Words, count: true))),
                ("hand-fused lookup", Answer.OfCount(QueryHandFused.And(raw, handOutput.Pointer, Words, count: true, lookupCount: true))),
                ("hand-fused popcnt", Answer.OfCount(QueryHandFused.And(raw, handOutput.Pointer, Words, count: true, lookupCount: false))),
            ]);
            if (!output.Span.SequenceEqual(scalarOutput.Span) || !output.Span.SequenceEqual(handOutput.Span))
            {
                throw new AnswerMismatchException($"jitmap-and{n}: the written words differ");
            }
            // Once the answers agree, every side is timed writing the same output buffer: where an 8 KiB output lies
            // against the inputs moves a pass by up to 3x on the AVX-512 host (one kernel, 84 ns into one buffer and
            // 280 ns into another in the same process), which would otherwise decide the ratio instead of the code.
            var timedOutput = output.Pointer;
            foreach (var count in new[] { true, false })
            {
                long sink = 0;
                var variant = count ? KernelVariant.WriteCount : KernelVariant.Write;
                IReadOnlyList<(string, Action)> handForms = count
                    ? [("nibble lookup", () => sink += QueryHandFused.And(raw, timedOutput, Words, true, true)),
                        ("popcnt per lane", () => sink += QueryHandFused.And(raw, timedOutput, Words, true, false))]
                    : [("store only", () => sink += QueryHandFused.And(raw, timedOutput, Words, false, true))];
                context.Measure($"jitmap-and{n}-{(count ? "count" : "nocount")}",
                    () => sink += query.RunDenseUnsafe(pointers, timedOutput, Words, variant),
                    [
                        CompareBaseline.Of("scalar", () => sink += ScalarAnd(raw, timedOutput, Words, count)),
                        new CompareBaseline("hand-fused", handForms, "a hand-written 512-bit loop for exactly this n (jitmap's LLVM output)"),
                    ]);
                GC.KeepAlive(sink);
            }
            foreach (var buffer in buffers)
            {
                buffer.Dispose();
            }
        }
    }

    // The fixed cost of a compiled-query call: two one-container bitmaps (array containers of 64 values in the same
    // key), so the intersection itself costs a few nanoseconds and the rest is resolving names, finding the plan and
    // dispatching. Against the pairwise call that pays none of that, and CRoaring's and_cardinality for scale.
    private static void RunCallOverhead(CompareContext context)
    {
        var random = new Random(42);
        var left = Enumerable.Range(0, 64).Select(_ => (uint)random.Next(1 << 16)).Distinct().Order().ToArray();
        var right = Enumerable.Range(0, 64).Select(_ => (uint)random.Next(1 << 16)).Concat(left.Take(16)).Distinct().Order().ToArray();
        using var a = Bitmap.FromValues(left);
        using var b = Bitmap.FromValues(right);
        var set = new BitmapSet { ["a"] = a, ["b"] = b };
        var query = new QueryEngine().Compile("a & b");
        var ca = CRoaringDirect.FromValues(left);
        var cb = CRoaringDirect.FromValues(right);
        try
        {
            CompareContext.Check("call-overhead",
            [
                ("bitfuse", Answer.OfCount(query.Count(set))), ("pairwise", Answer.OfCount(a.AndCount(b))),
                ("croaring", Answer.OfCount((long)CRoaringDirect.AndCardinality(ca, cb))),
            ]);
            long sink = 0;
            context.Measure("call-overhead", () => sink += query.Count(set),
            [
                CompareBaseline.Of("pairwise", () => sink += a.AndCount(b), "Bitmap.AndCount on the same two bitmaps"),
                CompareBaseline.Of("croaring", () => sink += (long)CRoaringDirect.AndCardinality(ca, cb), "roaring_bitmap_and_cardinality called directly"),
            ]);
            GC.KeepAlive(sink);
        }
        finally
        {
            CRoaringDirect.Free(ca);
            CRoaringDirect.Free(cb);
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
}
