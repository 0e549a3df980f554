namespace Bitfuse.Query.Syntax;

/// <summary>What one bottom-up rewrite does at the leaves and at the inner nodes (a struct, so the walk is not virtual).</summary>
internal interface IExprRewrite
{
    /// <summary>The replacement of a node without operands (a variable, a comparison, a constant).</summary>
    Expr Leaf(Expr node);

    /// <summary>The node that replaces <paramref name="node"/>, given its operands already rewritten.</summary>
    Expr Rebuild(Expr node, Expr[] operands);
}

/// <summary>
/// The one bottom-up walk over an expression DAG that every rewrite uses (optimizer passes, canonical renaming,
/// range lowering, per-key substitution). Invariant: each shared inner node is rewritten once per walk (a memo
/// keyed by reference), so a DAG with heavy sharing costs its number of distinct nodes, not its tree size.
/// </summary>
internal static class ExprRewriter
{
    /// <summary>Rewrites <paramref name="root"/> with <paramref name="rules"/>, each shared inner node once.</summary>
    public static Expr Rewrite<TRules>(Expr root, ref TRules rules)
        where TRules : struct, IExprRewrite
    {
        var memo = new Dictionary<Expr, Expr>(ReferenceEqualityComparer.Instance);
        return Walk(root, ref rules, memo);
    }

    private static Expr Walk<TRules>(Expr node, ref TRules rules, Dictionary<Expr, Expr> memo)
        where TRules : struct, IExprRewrite
    {
        if (node.OperandArray.Length == 0)
        {
            return rules.Leaf(node);
        }
        if (memo.TryGetValue(node, out var done))
        {
            return done;
        }
        var operands = new Expr[node.OperandArray.Length];
        for (var i = 0; i < operands.Length; i++)
        {
            operands[i] = Walk(node.OperandArray[i], ref rules, memo);
        }
        var result = rules.Rebuild(node, operands);
        memo[node] = result;
        return result;
    }
}
