namespace Bitfuse.Query.Syntax;

/// <summary>
/// The C# operators that build a query in code (<see cref="Q"/> makes the leaves): each makes the node the
/// parser makes for the same operator, and a chain of one operator (<c>a | b | c</c>) becomes one node with all
/// its operands, as the parser reads it. C#'s precedence applies: <c>!</c>, then <c>-</c> (and-not, which binds
/// tighter than <c>&amp;</c> in C#), then <c>&amp;</c>, <c>^</c>, <c>|</c>. The nodes are not pooled; a compile
/// copies them into its own pool.
/// </summary>
public sealed partial class Expr
{
    /// <summary>The values in both (<c>a &amp; b</c>).</summary>
    public static Expr operator &(Expr left, Expr right) => Chain(ExprKind.And, left, right);

    /// <summary>The values in either (<c>a | b</c>).</summary>
    public static Expr operator |(Expr left, Expr right) => Chain(ExprKind.Or, left, right);

    /// <summary>The values in exactly one (<c>a ^ b</c>).</summary>
    public static Expr operator ^(Expr left, Expr right) => Chain(ExprKind.Xor, left, right);

    /// <summary>The values of <paramref name="left"/> not in <paramref name="right"/> (<c>a - b</c>, which is <c>a &amp; !b</c>).</summary>
    public static Expr operator -(Expr left, Expr right) => Chain(ExprKind.And, left, !right);

    /// <summary>The complement within the query's universe (<c>!a</c>).</summary>
    public static Expr operator !(Expr operand)
    {
        ArgumentNullException.ThrowIfNull(operand);
        return new Expr(ExprKind.Not, null, [operand]);
    }

    /// <summary>A node of <paramref name="kind"/> (And, Or or Xor) over <paramref name="operands"/>; one operand is itself.</summary>
    internal static Expr Nary(ExprKind kind, ReadOnlySpan<Expr> operands)
    {
        if (operands.IsEmpty)
        {
            throw new ArgumentException($"{kind} needs at least one operand", nameof(operands));
        }
        foreach (var operand in operands)
        {
            ArgumentNullException.ThrowIfNull(operand, nameof(operands));
        }
        return operands.Length == 1 ? operands[0] : new Expr(kind, null, operands.ToArray());
    }

    // left op right, extending left when it is already a chain of op (the parser's left-to-right chain).
    private static Expr Chain(ExprKind kind, Expr left, Expr right)
    {
        ArgumentNullException.ThrowIfNull(left);
        ArgumentNullException.ThrowIfNull(right);
        if (left.Kind != kind)
        {
            return new Expr(kind, null, [left, right]);
        }
        var operands = new Expr[left.OperandArray.Length + 1];
        left.OperandArray.CopyTo(operands, 0);
        operands[^1] = right;
        return new Expr(kind, null, operands);
    }
}
