using Bitfuse.Query.Compilation;

namespace Bitfuse.Tests.Query.Execution;

public class DenseModeTests
{
    [Theory]
    [InlineData(KernelWidth.Scalar)]
    [InlineData(KernelWidth.Vector128)]
    [InlineData(KernelWidth.Vector256)]
    [InlineData(KernelWidth.Vector512)]
    public void Dense_evaluation_matches_a_scalar_loop_for_any_length(KernelWidth width)
    {
        var engine = new QueryEngine(new QueryOptions { Width = width });
        var query = engine.Compile("(a & b) | (c & !d)");
        var random = new Random(17);
        foreach (var words in new[] { 0, 1, 7, 8, 9, 1024, 1031 })
        {
            var inputs = new ulong[4][];
            for (var k = 0; k < 4; k++)
            {
                inputs[k] = new ulong[words];
                for (var w = 0; w < words; w++)
                {
                    inputs[k][w] = (ulong)random.NextInt64() * 3;
                }
            }
            var expected = new ulong[words];
            for (var w = 0; w < words; w++)
            {
                expected[w] = (inputs[0][w] & inputs[1][w]) | (inputs[2][w] & ~inputs[3][w]);
            }
            var memory = inputs.Select(i => new ReadOnlyMemory<ulong>(i)).ToArray();
            var output = new ulong[words];
            query.EvaluateDense(memory, output);
            Assert.Equal(expected, output);
            var count = expected.Sum(w => (long)ulong.PopCount(w));
            Array.Clear(output);
            Assert.Equal(count, query.EvaluateDenseCount(memory, output));
            Assert.Equal(expected, output);
            Assert.Equal(count, query.CountDense(memory));
            Assert.Equal(count > 0, query.AnyDense(memory));
        }
    }

    [Fact]
    public void Inputs_follow_the_order_of_names_in_the_text()
    {
        var query = new QueryEngine().Compile("z - a");
        Assert.Equal(["z", "a"], query.Variables);
        ulong[] z = [0b1111];
        ulong[] a = [0b0101];
        var output = new ulong[1];
        query.EvaluateDense(new ReadOnlyMemory<ulong>[] { z, a }, output);
        Assert.Equal(0b1010UL, output[0]);
    }

    [Fact]
    public void Constant_and_optimized_away_inputs_still_work()
    {
        var engine = new QueryEngine();
        var all = engine.Compile("a | !a");
        Assert.Empty(all.Form.Inputs);
        var output = new ulong[10];
        Assert.Equal(640, all.EvaluateDenseCount(new ReadOnlyMemory<ulong>[] { new ulong[10] }, output));
        Assert.All(output, w => Assert.Equal(ulong.MaxValue, w));
        var none = engine.Compile("$0");
        Assert.False(none.AnyDense(ReadOnlySpan<ReadOnlyMemory<ulong>>.Empty));
    }

    [Fact]
    public void Unequal_lengths_and_wrong_counts_are_clear_errors()
    {
        var query = new QueryEngine().Compile("a & b");
        var error = Assert.Throws<ArgumentException>(() => query.CountDense(new ReadOnlyMemory<ulong>[] { new ulong[8], new ulong[9] }));
        Assert.Contains("'a' has 8 words, 'b' has 9", error.Message, StringComparison.Ordinal);
        error = Assert.Throws<ArgumentException>(() => query.CountDense(new ReadOnlyMemory<ulong>[] { new ulong[8] }));
        Assert.Contains("the query has 2 inputs (a, b), got 1", error.Message, StringComparison.Ordinal);
        error = Assert.Throws<ArgumentException>(() => query.EvaluateDense(new ReadOnlyMemory<ulong>[] { new ulong[8], new ulong[8] }, new ulong[7]));
        Assert.Contains("the output has 7 words", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(3)]
    [InlineData(32)]
    [InlineData(33)]
    [InlineData(40)]
    public void Any_number_of_inputs_in_any_order_over_slices_match_a_scalar_loop(int count)
    {
        // Up to 32 inputs are pinned by fixed statements, more by handles; the names appear in the text out of order
        // and one twice, so the kernel's table is a reordering of the variables; every input is a slice at an offset.
        var random = new Random(count);
        var names = Enumerable.Range(0, count).Select(i => $"v{i}").ToArray();
        var text = $"({string.Join(" ^ ", names.Reverse())}) & !(v0 & v1) | (v{count - 1} & v1)";
        var query = new QueryEngine().Compile(text);
        foreach (var words in new[] { 1, 63, 64, 65, 128, 1024, 1031 })
        {
            var memory = new ReadOnlyMemory<ulong>[count];
            var byName = new Dictionary<string, ulong[]>();
            for (var i = 0; i < count; i++)
            {
                var backing = new ulong[words + 3];
                for (var w = 0; w < backing.Length; w++)
                {
                    backing[w] = (ulong)random.NextInt64() ^ ((ulong)random.NextInt64() << 32);
                }
                var offset = i % 4;
                byName[names[i]] = backing[offset..(offset + words)];
                memory[Array.IndexOf(query.Variables.ToArray(), names[i])] = backing.AsMemory(offset, words);
            }
            var expected = new ulong[words];
            long expectedCount = 0;
            for (var w = 0; w < words; w++)
            {
                var all = 0UL;
                foreach (var name in names)
                {
                    all ^= byName[name][w];
                }
                var v0 = byName["v0"][w];
                var v1 = byName["v1"][w];
                expected[w] = (all & ~(v0 & v1)) | (byName[$"v{count - 1}"][w] & v1);
                expectedCount += (long)ulong.PopCount(expected[w]);
            }
            var output = new ulong[words];
            Assert.Equal(expectedCount, query.EvaluateDenseCount(memory, output));
            Assert.Equal(expected, output);
            Assert.Equal(expectedCount, query.CountDense(memory));
            Array.Clear(output);
            query.EvaluateDense(memory, output);
            Assert.Equal(expected, output);
        }
    }
}
