using Bitfuse.Query.Compilation;
using Bitfuse.Query.Optimization;
using Bitfuse.Query.Syntax;

namespace Bitfuse.Tests.Query.Compilation;

public unsafe class KernelTests
{
    public static TheoryData<KernelWidth> Widths => [KernelWidth.Scalar, KernelWidth.Vector128, KernelWidth.Vector256, KernelWidth.Vector512, KernelWidth.Auto];

    [Theory]
    [MemberData(nameof(Widths))]
    public void Every_variant_matches_a_scalar_loop_at_every_width(KernelWidth width)
    {
        var random = new Random(42 + (int)width);
        var pool = new ExprPool();
        var cache = new KernelCache(width);
        for (var trial = 0; trial < 60; trial++)
        {
            var tree = Optimizer.Optimize(RandomExpressions.Next(random, pool, 4), pool);
            var form = CanonicalForm.Of(tree, pool);
            var words = trial % 5 == 0 ? random.Next(0, 9) : random.Next(1, 100);
            var (inputs, expected, expectedCount) = RandomCase(random, form, pool, words);
            foreach (var variant in Enum.GetValues<KernelVariant>())
            {
                var kernel = cache.Get(form, variant);
                Assert.Equal(VectorOpsWidth(width), kernel.Width);
                var output = new ulong[words];
                var result = Run(kernel, inputs, output, words);
                var what = $"{variant} {width} {form.Key} over {words} words";
                switch (variant)
                {
                    case KernelVariant.Write:
                        Assert.Equal(0, result);
                        Assert.Equal(expected, output);
                        break;
                    case KernelVariant.Count:
                        Assert.Equal(expectedCount, result);
                        Assert.All(output, w => Assert.Equal(0UL, w));
                        break;
                    case KernelVariant.WriteCount:
                        Assert.True(expectedCount == result, what);
                        Assert.Equal(expected, output);
                        break;
                    default:
                        Assert.True((expectedCount > 0 ? 1 : 0) == result, what);
                        break;
                }
            }
        }
    }

    // Random input words for every variable of the form, and the answer the reference interpreter gives word by word.
    private static (ulong[][] Inputs, ulong[] Expected, long ExpectedCount) RandomCase(Random random, CanonicalForm form, ExprPool pool, int words)
    {
        var inputs = new ulong[form.Inputs.Count][];
        for (var k = 0; k < inputs.Length; k++)
        {
            inputs[k] = RandomWords(random, words);
        }
        var expected = new ulong[words];
        long expectedCount = 0;
        for (var w = 0; w < words; w++)
        {
            expected[w] = ReferenceInterpreter.EvaluateWord(form.Shape, name => inputs[CanonicalForm.PositionOf(pool.Variable(name))][w]);
            expectedCount += (long)ulong.PopCount(expected[w]);
        }
        return (inputs, expected, expectedCount);
    }

    [Theory]
    [MemberData(nameof(Widths))]
    public void Counts_are_exact_around_the_carry_save_group_boundaries(KernelWidth width)
    {
        // A 512-bit group is 512 bytes (64 words), narrower ones 256 bytes: lengths just below, at and above a few
        // groups take the group loop, the per-block loop and the scalar tail in every combination.
        var random = new Random(7 + (int)width);
        var pool = new ExprPool();
        var cache = new KernelCache(width);
        var tree = Optimizer.Optimize(Parser.Parse("(a & b) | (c & !d)", pool, QueryLimits.Default, out _), pool);
        var form = CanonicalForm.Of(tree, pool);
        foreach (var words in new[] { 31, 32, 33, 63, 64, 65, 127, 128, 129, 191, 1024, 1031 })
        {
            var (inputs, expected, expectedCount) = RandomCase(random, form, pool, words);
            var output = new ulong[words];
            Assert.True(expectedCount == Run(cache.Get(form, KernelVariant.Count), inputs, output, words), $"count over {words} words");
            Assert.True(expectedCount == Run(cache.Get(form, KernelVariant.WriteCount), inputs, output, words), $"write + count over {words} words");
            Assert.Equal(expected, output);
        }
    }

    [Theory]
    [MemberData(nameof(Widths))]
    public void Any_stops_at_the_first_non_empty_block_and_sees_the_tail(KernelWidth width)
    {
        var pool = new ExprPool();
        var form = CanonicalForm.Of(Optimizer.Optimize(Parser.Parse("a & b"), pool), pool);
        var kernel = new KernelCache(width).Get(form, KernelVariant.Any);
        foreach (var words in new[] { 3, 8, 17, 64 })
        {
            var a = new ulong[words];
            var b = new ulong[words];
            Assert.Equal(0, Run(kernel, [a, b], null, words));
            a[words - 1] = b[words - 1] = 1UL << 63;
            Assert.Equal(1, Run(kernel, [a, b], null, words));
        }
    }

    [Theory]
    [MemberData(nameof(Widths))]
    public void Lockstep_steps_match_the_scalar_loop_in_every_variant_around_step_boundaries(KernelWidth width)
    {
        // The group and write loops compute a step's vectors in lockstep, a pass of lanes at a time: chains over many
        // inputs, shared subtrees and reused inputs (per-lane locals), all-negative ands, and a deep tree whose passes
        // hold fewer lanes than a step. Lengths below, at and above the 256- and 512-byte steps reach every loop and tail.
        string[] texts =
        [
            "a0 & a1 & a2 & a3 & a4 & a5 & a6 & a7",
            "((a & b) ^ c) | ((a & b) & d) | !(a & b)",
            "(a & b) | (a & c) | (b & !c)",
            "!a & !b & !c & !d",
            "((a & (b | (c ^ (d & (e | !f))))) ^ g) & (h | (a & !e))",
            "(a ^ b ^ c ^ d) | (e & !f)",
        ];
        var random = new Random(11 + (int)width);
        var pool = new ExprPool();
        var cache = new KernelCache(width);
        foreach (var text in texts)
        {
            var form = CanonicalForm.Of(Optimizer.Optimize(Parser.Parse(text, pool, QueryLimits.Default, out _), pool), pool);
            foreach (var words in new[] { 0, 1, 7, 31, 32, 33, 63, 64, 65, 95, 96, 97, 127, 128, 129, 200, 257 })
            {
                var (inputs, expected, expectedCount) = RandomCase(random, form, pool, words);
                foreach (var variant in Enum.GetValues<KernelVariant>())
                {
                    var kernel = cache.Get(form, variant);
                    foreach (var run in kernel.Streaming is { } streaming ? new[] { kernel, streaming } : [kernel])
                    {
                        var output = new ulong[words];
                        var result = Run(run, inputs, output, words);
                        var what = $"{run} over {words} words";
                        Assert.True(variant switch
                        {
                            KernelVariant.Write => result == 0,
                            KernelVariant.Any => result == (expectedCount > 0 ? 1 : 0),
                            _ => result == expectedCount,
                        }, what);
                        Assert.True((variant is KernelVariant.Write or KernelVariant.WriteCount ? expected : new ulong[words]).AsSpan().SequenceEqual(output), what);
                    }
                }
            }
        }
    }

    [Fact]
    public void A_shared_subtree_is_computed_once_and_right()
    {
        // (a & b) appears three times; the pool makes it one node and the kernel one local.
        var pool = new ExprPool();
        var tree = Parser.Parse("((a & b) ^ c) | ((a & b) & d) | !(a & b)", pool, QueryLimits.Default, out _);
        var form = CanonicalForm.Of(tree, pool);
        var random = new Random(3);
        var inputs = new ulong[form.Inputs.Count][];
        for (var k = 0; k < inputs.Length; k++)
        {
            inputs[k] = RandomWords(random, 40);
        }
        var output = new ulong[40];
        Run(new KernelCache(KernelWidth.Vector256).Get(form, KernelVariant.Write), inputs, output, 40);
        for (var w = 0; w < 40; w++)
        {
            Assert.Equal(ReferenceInterpreter.EvaluateWord(form.Shape, name => inputs[CanonicalForm.PositionOf(pool.Variable(name))][w]), output[w]);
        }
    }

    [Fact]
    public void Many_inputs_compile_and_run()
    {
        var names = Enumerable.Range(0, 200).Select(i => $"b{i}").ToArray();
        var engine = new QueryEngine();
        var query = engine.Compile(string.Join(" | ", names));
        var random = new Random(9);
        var inputs = names.Select(_ => new ReadOnlyMemory<ulong>(SparseWords(random, 33))).ToArray();
        var expected = new ulong[33];
        foreach (var input in inputs)
        {
            for (var w = 0; w < 33; w++)
            {
                expected[w] |= input.Span[w];
            }
        }
        var output = new ulong[33];
        var count = query.EvaluateDenseCount(inputs, output);
        Assert.Equal(expected, output);
        Assert.Equal(expected.Sum(w => (long)ulong.PopCount(w)), count);
    }

    [Fact]
    public void Ternary_logic_tables_follow_intels_operand_order()
    {
        var pool = new ExprPool();
        Expr[] abc = [pool.Variable("a"), pool.Variable("b"), pool.Variable("c")];
        Assert.Equal(0xF0, TernaryLogicTable.Of(abc[0], abc));
        Assert.Equal(0x80, TernaryLogicTable.Of(pool.And(abc), abc));
        Assert.Equal(0xFE, TernaryLogicTable.Of(pool.Or(abc), abc));
        Assert.Equal(0x96, TernaryLogicTable.Of(pool.Xor(abc), abc));
        Assert.Equal(0xD8, TernaryLogicTable.Of(pool.Or(pool.And(abc[0], pool.Not(abc[2])), pool.And(abc[1], abc[2])), abc));
        Assert.Equal(0x0F, TernaryLogicTable.Of(pool.Not(abc[0]), abc));
        Assert.Throws<ArgumentException>(() => TernaryLogicTable.Of(abc[0], []));
    }

    private static KernelWidth VectorOpsWidth(KernelWidth width) => width != KernelWidth.Auto ? width : new KernelCache().Width;

    private static long Run(Kernel kernel, ulong[][] inputs, ulong[]? output, int words)
    {
        var handles = inputs.Select(i => System.Runtime.InteropServices.GCHandle.Alloc(i, System.Runtime.InteropServices.GCHandleType.Pinned)).ToArray();
        try
        {
            var pointers = stackalloc ulong*[Math.Max(1, inputs.Length)];
            for (var k = 0; k < inputs.Length; k++)
            {
                pointers[k] = (ulong*)handles[k].AddrOfPinnedObject();
            }
            fixed (ulong* result = output)
            {
                return kernel.Run(pointers, result, words);
            }
        }
        finally
        {
            foreach (var handle in handles)
            {
                handle.Free();
            }
        }
    }

    private static ulong[] RandomWords(Random random, int words)
    {
        var result = new ulong[words];
        var mode = random.Next(4);
        for (var i = 0; i < words; i++)
        {
            result[i] = mode switch
            {
                0 => 0,
                1 => ulong.MaxValue,
                _ => (ulong)random.NextInt64() ^ ((ulong)random.Next() << 32),
            };
            if (mode < 2 && random.Next(8) == 0)
            {
                result[i] ^= 1UL << random.Next(64);
            }
        }
        return result;
    }

    private static ulong[] SparseWords(Random random, int words)
    {
        var result = new ulong[words];
        result[random.Next(words)] = 1UL << random.Next(64);
        return result;
    }
}
