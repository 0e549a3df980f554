using Bitfuse.Query.Syntax;

namespace Bitfuse.Tests.Query;

/// <summary>Random expression trees over a few names, for property tests.</summary>
internal static class RandomExpressions
{
    public static readonly string[] Names = ["a", "b", "c", "d", "e"];

    public static Expr Next(Random random, ExprPool pool, int depth, int names = 5)
    {
        if (depth <= 0 || random.Next(4) == 0)
        {
            var leaf = random.Next(12);
            return leaf switch
            {
                0 => pool.Empty,
                1 => pool.Universe,
                _ => pool.Variable(Names[random.Next(names)]),
            };
        }
        var kind = random.Next(4);
        if (kind == 0)
        {
            return pool.Not(Next(random, pool, depth - 1, names));
        }
        var operands = new Expr[2 + random.Next(3)];
        for (var i = 0; i < operands.Length; i++)
        {
            operands[i] = Next(random, pool, depth - 1, names);
        }
        return pool.Make(kind switch { 1 => ExprKind.And, 2 => ExprKind.Or, _ => ExprKind.Xor }, operands);
    }
}
