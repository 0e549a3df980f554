using Bitfuse.Query.Syntax;

namespace Bitfuse;

/// <summary>
/// Queries written in C# instead of text: <c>Q.Name("ios") &amp; !Q.Name("churned") | Q.Name("vip")</c> is the tree
/// the parser makes of <c>ios &amp; !churned | vip</c>, and <see cref="QueryEngine.Compile(Expr)"/> compiles it the
/// same way, to the same kernels. The operators are on <see cref="Expr"/>. Int fields compare through
/// <see cref="Int"/>: <c>Q.Name("paris") &amp; Q.Int("age").Between(30, 40)</c> is <c>paris &amp; 30 &lt;= age &lt; 40</c>.
/// </summary>
public static class Q
{
    /// <summary>The input bitmap called <paramref name="name"/> (any non-empty name; no quoting needed).</summary>
    public static Expr Name(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        return new Expr(ExprKind.Variable, name, []);
    }

    /// <summary>
    /// The int field called <paramref name="name"/>, to compare: <c>Q.Int("age") &gt;= 30</c>, <c>Q.Int("age").Between(10, 20)</c>,
    /// <c>Q.Int("age").EqualTo(7)</c>, <c>Q.Int("age").IsNotNull()</c>.
    /// </summary>
    /// <exception cref="ArgumentException">An empty name, or one of digits only (the text would read it as a number).</exception>
    public static IntFieldOperand Int(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (name.AsSpan().IndexOfAnyExceptInRange('0', '9') < 0)
        {
            throw new ArgumentException($"'{name}' is a number in query text, not a field name", nameof(name));
        }
        return new IntFieldOperand(name);
    }

    /// <summary>The empty set, <c>$0</c>.</summary>
    public static Expr None { get; } = new(ExprKind.Empty, null, []);

    /// <summary>Every value of the query's universe, <c>$1</c>.</summary>
    public static Expr All { get; } = new(ExprKind.Universe, null, []);

    /// <summary>The values in every operand: one node, as the parser reads <c>a &amp; b &amp; c</c>.</summary>
    public static Expr And(params ReadOnlySpan<Expr> operands) => Expr.Nary(ExprKind.And, operands);

    /// <summary>The values in any operand: one node, as the parser reads <c>a | b | c</c>.</summary>
    public static Expr Or(params ReadOnlySpan<Expr> operands) => Expr.Nary(ExprKind.Or, operands);

    /// <summary>The values in an odd number of operands: one node, as the parser reads <c>a ^ b ^ c</c>.</summary>
    public static Expr Xor(params ReadOnlySpan<Expr> operands) => Expr.Nary(ExprKind.Xor, operands);
}
