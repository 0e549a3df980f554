using System.Runtime.InteropServices;
using Bitfuse.Query.Compilation;
using Bitfuse.Query.Optimization;
using Bitfuse.Query.Syntax;

namespace Bitfuse.Tests.Query.Compilation;

/// <summary>
/// The non-temporal (streaming) twins of the write kernels and the carry-save count loop, each against a
/// scalar loop: odd lengths, outputs that start anywhere within a 64-byte line, and guard words around the output.
/// </summary>
public unsafe class StreamingKernelTests
{
    private const string Text = "(a & b) | (c & !d) ^ e";

    public static TheoryData<KernelWidth> VectorWidths => [KernelWidth.Vector128, KernelWidth.Vector256, KernelWidth.Vector512];

    [Theory]
    [MemberData(nameof(VectorWidths))]
    public void Streaming_twins_write_exactly_the_output_at_any_alignment_and_length(KernelWidth width)
    {
        var pool = new ExprPool();
        var form = CanonicalForm.Of(Optimizer.Optimize(Parser.Parse(Text, pool, QueryLimits.Default, out _), pool), pool);
        var cache = new KernelCache(width);
        var random = new Random(11 + (int)width);
        const int Guard = 16;
        const int MaxWords = 300;
        var inputs = new ulong*[form.Inputs.Count];
        var buffer = (ulong*)NativeMemory.AlignedAlloc((MaxWords + (2 * Guard)) * sizeof(ulong), 64);
        try
        {
            for (var k = 0; k < inputs.Length; k++)
            {
                inputs[k] = (ulong*)NativeMemory.AlignedAlloc(MaxWords * sizeof(ulong), 64);
                for (var w = 0; w < MaxWords; w++)
                {
                    inputs[k][w] = (ulong)random.NextInt64() ^ ((ulong)random.Next() << 40);
                }
            }
            foreach (var variant in new[] { KernelVariant.Write, KernelVariant.WriteCount })
            {
                var streaming = cache.Get(form, variant).Streaming;
                Assert.NotNull(streaming);
                Assert.True(streaming.NonTemporal);
                Assert.Equal(variant, streaming.Variant);
                Assert.Null(streaming.Streaming);
                foreach (var words in new[] { 0, 1, 5, 7, 8, 9, 15, 16, 17, 63, 64, 65, 100, 255, 256, 257, 299 })
                {
                    for (var shift = 0; shift < 8; shift++)
                    {
                        // The output starts `shift` words past a 64-byte boundary, with guard words on both sides.
                        var output = buffer + Guard + shift;
                        new Span<ulong>(buffer, MaxWords + (2 * Guard)).Fill(0xDEAD_BEEF_0BAD_F00DUL);
                        fixed (ulong** table = inputs)
                        {
                            var result = streaming.Function(table, output, words);
                            long expectedCount = 0;
                            for (var w = 0; w < words; w++)
                            {
                                var expected = Reference(form, pool, inputs, w);
                                expectedCount += (long)ulong.PopCount(expected);
                                Assert.True(expected == output[w], $"{variant} {width}: word {w} of {words}, output shifted by {shift} words");
                            }
                            Assert.Equal(variant == KernelVariant.WriteCount ? expectedCount : 0, result);
                        }
                        for (var g = 0; g < Guard + shift; g++)
                        {
                            Assert.Equal(0xDEAD_BEEF_0BAD_F00DUL, buffer[g]);
                        }
                        for (var g = Guard + shift + words; g < MaxWords + (2 * Guard); g++)
                        {
                            Assert.Equal(0xDEAD_BEEF_0BAD_F00DUL, buffer[g]);
                        }
                    }
                }
            }
        }
        finally
        {
            NativeMemory.AlignedFree(buffer);
            foreach (var input in inputs)
            {
                NativeMemory.AlignedFree(input);
            }
        }
    }

    [Fact]
    public void Only_large_aligned_outputs_of_write_kernels_take_the_streaming_twin()
    {
        var pool = new ExprPool();
        var form = CanonicalForm.Of(Optimizer.Optimize(Parser.Parse("a & b"), pool), pool);
        var cache = new KernelCache(KernelWidth.Vector256);
        var write = cache.Get(form, KernelVariant.Write);
        var large = Kernel.StreamingThresholdBytes / sizeof(ulong);
        var aligned = (ulong*)64;
        Assert.Same(write, write.For(aligned, (nint)large - 1));
        Assert.Same(write.Streaming, write.For(aligned, (nint)large));
        Assert.Same(write, write.For((ulong*)68, (nint)large));
        var count = cache.Get(form, KernelVariant.Count);
        Assert.Null(count.Streaming);
        Assert.Same(count, count.For(aligned, (nint)large));
        Assert.Null(new KernelCache(KernelWidth.Scalar).Get(form, KernelVariant.Write).Streaming);
    }

    [Fact]
    public void Dense_mode_over_a_large_output_streams_and_matches_the_scalar_loop()
    {
        var query = new QueryEngine(new QueryOptions { Width = KernelWidth.Vector256 }).Compile("(a & b) | (c & !d)");
        var words = (int)(Kernel.StreamingThresholdBytes / sizeof(ulong)) + 13;
        var random = new Random(5);
        var inputs = new ulong[4][];
        for (var k = 0; k < 4; k++)
        {
            inputs[k] = new ulong[words];
            for (var w = 0; w < words; w++)
            {
                inputs[k][w] = (ulong)random.NextInt64();
            }
        }
        var expected = new ulong[words];
        long expectedCount = 0;
        for (var w = 0; w < words; w++)
        {
            expected[w] = (inputs[0][w] & inputs[1][w]) | (inputs[2][w] & ~inputs[3][w]);
            expectedCount += (long)ulong.PopCount(expected[w]);
        }
        var memory = inputs.Select(i => new ReadOnlyMemory<ulong>(i)).ToArray();
        // One word past the array start, so the output is 8-byte but not 64-byte aligned.
        var output = new ulong[words + 1];
        query.EvaluateDense(memory, output.AsSpan(1));
        Assert.Equal(0UL, output[0]);
        Assert.True(expected.AsSpan().SequenceEqual(output.AsSpan(1)));
        Array.Clear(output);
        Assert.Equal(expectedCount, query.EvaluateDenseCount(memory, output.AsSpan(1)));
        Assert.True(expected.AsSpan().SequenceEqual(output.AsSpan(1)));
    }

    [Theory]
    [InlineData(KernelWidth.Scalar)]
    [InlineData(KernelWidth.Vector128)]
    [InlineData(KernelWidth.Vector256)]
    [InlineData(KernelWidth.Vector512)]
    public void Carry_save_counts_weigh_every_level_right_at_group_edges(KernelWidth width)
    {
        // All-ones results push a carry through every level of the adder tree on every group.
        var pool = new ExprPool();
        var form = CanonicalForm.Of(Optimizer.Optimize(Parser.Parse("a | b"), pool), pool);
        var cache = new KernelCache(width);
        var random = new Random(23);
        var table = stackalloc ulong*[2];
        foreach (var words in new[] { 0, 1, 8, 31, 32, 33, 39, 40, 63, 64, 65, 95, 96, 97, 1024, 1031 })
        {
            foreach (var fill in new[] { 0, 1, 2 })
            {
                var a = new ulong[words];
                var b = new ulong[words];
                long expected = 0;
                for (var w = 0; w < words; w++)
                {
                    a[w] = fill switch { 0 => ulong.MaxValue, 1 => 1UL << (w % 64), _ => (ulong)random.NextInt64() };
                    b[w] = fill == 2 ? (ulong)random.NextInt64() : 0;
                    expected += (long)ulong.PopCount(a[w] | b[w]);
                }
                fixed (ulong* pa = a, pb = b)
                {
                    table[0] = pa;
                    table[1] = pb;
                    var output = new ulong[words];
                    fixed (ulong* po = output)
                    {
                        Assert.Equal(expected, cache.Get(form, KernelVariant.Count).Function(table, null, words));
                        Assert.Equal(expected, cache.Get(form, KernelVariant.WriteCount).Function(table, po, words));
                    }
                    for (var w = 0; w < words; w++)
                    {
                        Assert.Equal(a[w] | b[w], output[w]);
                    }
                }
            }
        }
    }

    [Theory]
    [InlineData(KernelWidth.Scalar)]
    [InlineData(KernelWidth.Vector128)]
    [InlineData(KernelWidth.Vector256)]
    [InlineData(KernelWidth.Vector512)]
    public void A_large_tree_computed_one_vector_per_step_matches_the_scalar_loop_in_every_variant(KernelWidth width)
    {
        var pool = new ExprPool();
        var text = "((a0 & a1) | (a2 & !a3)) & ((a4 | a5) ^ (a6 & a7)) | ((a8 & !a9) | (a10 ^ a11)) & !(a12 & (a13 | a14) & !a15)";
        var form = CanonicalForm.Of(Optimizer.Optimize(Parser.Parse(text, pool, QueryLimits.Default, out _), pool), pool);
        var cache = new KernelCache(width);
        var random = new Random(31);
        const int MaxWords = 140;
        var inputs = new ulong*[form.Inputs.Count];
        var output = (ulong*)NativeMemory.AlignedAlloc(MaxWords * sizeof(ulong), 64);
        try
        {
            for (var k = 0; k < inputs.Length; k++)
            {
                inputs[k] = (ulong*)NativeMemory.AlignedAlloc(MaxWords * sizeof(ulong), 64);
                for (var w = 0; w < MaxWords; w++)
                {
                    inputs[k][w] = (ulong)random.NextInt64() ^ ((ulong)random.Next() << 33);
                }
            }
            fixed (ulong** table = inputs)
            {
                foreach (var words in new[] { 0, 1, 3, 4, 5, 8, 31, 32, 33, 64, 100, 139 })
                {
                    var expected = new ulong[words];
                    long expectedCount = 0;
                    for (var w = 0; w < words; w++)
                    {
                        expected[w] = Reference(form, pool, inputs, w);
                        expectedCount += (long)ulong.PopCount(expected[w]);
                    }
                    foreach (var variant in Enum.GetValues<KernelVariant>())
                    {
                        new Span<ulong>(output, MaxWords).Clear();
                        var result = cache.Get(form, variant).Function(table, output, words);
                        var what = $"{variant} {width} over {words} words";
                        Assert.True(variant switch
                        {
                            KernelVariant.Write => result == 0,
                            KernelVariant.Any => result == (expectedCount > 0 ? 1 : 0),
                            _ => result == expectedCount,
                        }, what);
                        if (variant is KernelVariant.Write or KernelVariant.WriteCount)
                        {
                            Assert.True(expected.AsSpan().SequenceEqual(new ReadOnlySpan<ulong>(output, words)), what);
                        }
                    }
                }
            }
        }
        finally
        {
            NativeMemory.AlignedFree(output);
            foreach (var input in inputs)
            {
                NativeMemory.AlignedFree(input);
            }
        }
    }

    [Fact]
    public void Carry_save_control_bytes_are_the_majority_and_the_sum_of_three_inputs()
    {
        // The AVX-512 adder (one vpternlogq per half) cannot run on every machine; its truth tables can be checked anywhere.
        var pool = new ExprPool();
        Expr[] abc = [pool.Variable("a"), pool.Variable("b"), pool.Variable("c")];
        var majority = pool.Or(pool.And(abc[0], abc[1]), pool.And(abc[0], abc[2]), pool.And(abc[1], abc[2]));
        Assert.Equal(KernelEmitter.MajorityControl, TernaryLogicTable.Of(majority, abc));
        Assert.Equal(KernelEmitter.SumControl, TernaryLogicTable.Of(pool.Xor(abc), abc));
    }

    private static ulong Reference(CanonicalForm form, ExprPool pool, ulong*[] inputs, int word) =>
        ReferenceInterpreter.EvaluateWord(form.Shape, name => inputs[CanonicalForm.PositionOf(pool.Variable(name))][word]);
}
