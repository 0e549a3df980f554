using Bitfuse.Query.Optimization;
using Bitfuse.Query.Syntax;

namespace Bitfuse.Tests.Query.Optimization;

public class OptimizerTests
{
    private static string Optimize(string text) => Optimizer.Optimize(Parser.Parse(text)).ToString();

    [Theory]
    [InlineData("a & $0", "$0")]
    [InlineData("a & $1", "a")]
    [InlineData("a | $1", "$1")]
    [InlineData("a | $0", "a")]
    [InlineData("a ^ $0", "a")]
    [InlineData("a ^ $1", "!a")]
    [InlineData("!$0", "$1")]
    [InlineData("!$1", "$0")]
    [InlineData("$1 & $1", "$1")]
    [InlineData("$0 ^ $1 ^ $1", "$0")]
    public void Constants_fold(string text, string expected) => Assert.Equal(expected, Optimize(text));

    [Theory]
    [InlineData("a & a", "a")]
    [InlineData("a | a | a", "a")]
    [InlineData("a ^ a", "$0")]
    [InlineData("a ^ b ^ a", "b")]
    [InlineData("a ^ a ^ a", "a")]
    [InlineData("a & !a", "$0")]
    [InlineData("b & a & !a", "$0")]
    [InlineData("a | !a", "$1")]
    [InlineData("(a & b) | !(a & b)", "$1")]
    [InlineData("a ^ !a", "$1")]
    public void Same_operands_simplify(string text, string expected) => Assert.Equal(expected, Optimize(text));

    [Theory]
    [InlineData("!!a", "a")]
    [InlineData("!!!a", "!a")]
    [InlineData("!a & !b", "!(a | b)")]
    [InlineData("!a | !b | !c", "!(a & b & c)")]
    [InlineData("!a & !b & c", "c & !a & !b")]
    [InlineData("!(!a | !b)", "a & b")]
    [InlineData("!(!a & !b & c)", "a | b | !c")]
    [InlineData("!a ^ b", "!(a ^ b)")]
    [InlineData("!a ^ !b", "a ^ b")]
    [InlineData("a - b", "a & !b")]
    [InlineData("a - b - c - d", "a & !b & !c & !d")]
    [InlineData("!(b | c | d | !a)", "a & !b & !c & !d")]
    [InlineData("!a | !b | !c | d", "!(a & b & c & !d)")]
    public void Nots_cancel_and_de_morgan_leaves_fewer_nots(string text, string expected) => Assert.Equal(expected, Optimize(text));

    [Theory]
    [InlineData("a & (a | b)", "a")]
    [InlineData("a | (a & b)", "a")]
    [InlineData("(b | a) & c & a", "a & c")]
    [InlineData("a | (b & c & a) | d", "a | d")]
    public void Absorption(string text, string expected) => Assert.Equal(expected, Optimize(text));

    [Theory]
    [InlineData("(a & b) & (c & d)", "a & b & c & d")]
    [InlineData("a | (b | (c | d))", "a | b | c | d")]
    [InlineData("(a ^ b) ^ c", "a ^ b ^ c")]
    [InlineData("a & (b | c)", "a & (b | c)")]
    public void Associative_chains_flatten(string text, string expected) => Assert.Equal(expected, Optimize(text));

    [Fact]
    public void Operand_order_is_canonical()
    {
        Assert.Equal(Optimize("a & b"), Optimize("b & a"));
        Assert.Equal(Optimize("(c | d) & a & !b"), Optimize("!b & (d | c) & a"));
        Assert.Equal("a & (b | c)", Optimize("(c | b) & a"));
    }

    [Fact]
    public void Positional_form_shares_kernels_across_names()
    {
        var pool = new ExprPool();
        var one = CanonicalForm.Of(Optimizer.Optimize(Parser.Parse("x & y"), pool), pool);
        var two = CanonicalForm.Of(Optimizer.Optimize(Parser.Parse("dog & cat"), pool), pool);
        Assert.Equal("v0 & v1", one.Key);
        Assert.Equal(one.Key, two.Key);
        Assert.Equal(["cat", "dog"], two.Inputs);
        var three = CanonicalForm.Of(Optimizer.Optimize(Parser.Parse("(p & q) | !r"), pool), pool);
        var four = CanonicalForm.Of(Optimizer.Optimize(Parser.Parse("!zz | (aa & mm)"), pool), pool);
        Assert.Equal(three.Key, four.Key);
        Assert.Equal(3, three.Inputs.Count);
        Assert.NotEqual(one.Key, three.Key);
    }

    [Fact]
    public void Optimizing_twice_changes_nothing()
    {
        var random = new Random(5);
        var pool = new ExprPool();
        for (var i = 0; i < 1000; i++)
        {
            var once = Optimizer.Optimize(RandomExpressions.Next(random, pool, 5), pool);
            Assert.Same(once, Optimizer.Optimize(once, pool));
        }
    }

    [Fact]
    public void Optimized_and_unoptimized_agree_with_the_hash_set_model()
    {
        var random = new Random(1234);
        var pool = new ExprPool();
        const uint Universe = 96;
        for (var trial = 0; trial < 400; trial++)
        {
            var inputs = new Dictionary<string, HashSet<uint>>();
            foreach (var name in RandomExpressions.Names)
            {
                var set = new HashSet<uint>();
                var density = random.NextDouble();
                for (uint v = 0; v < Universe; v++)
                {
                    if (random.NextDouble() < density)
                    {
                        set.Add(v);
                    }
                }
                inputs[name] = set;
            }
            var tree = RandomExpressions.Next(random, pool, 5);
            var optimized = Optimizer.Optimize(tree, pool);
            var expected = ReferenceInterpreter.Evaluate(tree, inputs, Universe);
            var actual = ReferenceInterpreter.Evaluate(optimized, inputs, Universe);
            Assert.True(expected.SetEquals(actual), $"{tree} optimized to {optimized}");

            var form = CanonicalForm.Of(optimized, pool);
            var positional = new Dictionary<string, HashSet<uint>>();
            for (var p = 0; p < form.Inputs.Count; p++)
            {
                positional[CanonicalForm.PositionName(p)] = inputs[form.Inputs[p]];
            }
            Assert.True(expected.SetEquals(ReferenceInterpreter.Evaluate(form.Shape, positional, Universe)), $"shape {form.Key} of {optimized}");
        }
    }
}
