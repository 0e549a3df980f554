using Bitfuse.Query.Syntax;

namespace Bitfuse.Tests.Query.Syntax;

public class ExprPoolTests
{
    [Fact]
    public void Identical_subtrees_are_one_node()
    {
        var pool = new ExprPool();
        var tree = Parser.Parse("(a & b) | c | (a & b) | !(a & b)", pool, QueryLimits.Default, out _);
        var first = tree.Operands[0];
        Assert.Same(first, tree.Operands[2]);
        Assert.Same(first, tree.Operands[3].Operands[0]);
        Assert.Same(pool.Variable("a"), first.Operands[0]);
    }

    [Fact]
    public void Equality_across_pools_is_structural_and_adopt_interns()
    {
        var one = Parser.Parse("a & !(b | c)");
        var two = Parser.Parse("a & !(b | c)");
        Assert.NotSame(one, two);
        Assert.Equal(one, two);
        Assert.Equal(one.GetHashCode(), two.GetHashCode());
        Assert.NotEqual(one, Parser.Parse("a & !(c | b)"));
        var pool = new ExprPool();
        var adopted = pool.Adopt(one);
        Assert.Same(adopted, pool.Adopt(two));
        Assert.Equal(2, adopted.Operands.Count);
    }

    [Fact]
    public void Builders_check_their_arity()
    {
        var pool = new ExprPool();
        Assert.Throws<ArgumentException>(() => pool.And(pool.Variable("a")));
        Assert.Throws<ArgumentException>(() => pool.Make(ExprKind.Not, []));
        Assert.Throws<ArgumentException>(() => pool.Variable(""));
    }

    [Fact]
    public void Depth_counts_levels()
    {
        var tree = Parser.Parse("a & !(b | c)");
        Assert.Equal(4, tree.Depth);
        Assert.Equal(1, Parser.Parse("a").Depth);
    }
}
