namespace Bitfuse.Query.Syntax;

/// <summary>
/// Makes <see cref="Expr"/> nodes and hash-conses them: asking twice for the same node (same kind, name
/// and operand objects) returns the first one. Invariant: every node handed out by a pool has operands
/// from the same pool, so structural equality within a pool is reference equality.
/// A pool is cheap; use one per query (it is not thread-safe). The builders do not simplify.
/// </summary>
internal sealed class ExprPool
{
    private static readonly Expr EmptyNode = new(ExprKind.Empty, null, []);
    private static readonly Expr UniverseNode = new(ExprKind.Universe, null, []);
    private readonly Dictionary<Expr, Expr> _nodes = [];

    /// <summary>How many distinct nodes the pool holds.</summary>
    public int Count => _nodes.Count;

    /// <summary>The empty set, <c>$0</c>.</summary>
    public Expr Empty => EmptyNode;

    /// <summary>The universe, <c>$1</c>.</summary>
    public Expr Universe => UniverseNode;

    /// <summary>A constant: <c>$1</c> when <paramref name="value"/> is true, else <c>$0</c>.</summary>
    public Expr Constant(bool value) => value ? UniverseNode : EmptyNode;

    /// <summary>The input bitmap called <paramref name="name"/>.</summary>
    public Expr Variable(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        return Intern(new Expr(ExprKind.Variable, name, []));
    }

    /// <summary>The comparison of int field <paramref name="field"/> with <paramref name="value"/> (ignored by the null tests).</summary>
    public Expr Compare(string field, ComparisonOperator comparison, long value)
    {
        ArgumentException.ThrowIfNullOrEmpty(field);
        if (comparison is ComparisonOperator.HasValue or ComparisonOperator.IsNull)
        {
            value = 0;
        }
        return Intern(new Expr(ExprKind.Compare, field, [], comparison, value));
    }

    /// <summary>The complement of <paramref name="operand"/>.</summary>
    public Expr Not(Expr operand) => Intern(new Expr(ExprKind.Not, null, [Adopt(operand)]));

    /// <summary>The intersection of two or more operands, in the order given.</summary>
    public Expr And(params ReadOnlySpan<Expr> operands) => Nary(ExprKind.And, operands);

    /// <summary>The union of two or more operands, in the order given.</summary>
    public Expr Or(params ReadOnlySpan<Expr> operands) => Nary(ExprKind.Or, operands);

    /// <summary>The symmetric difference of two or more operands, in the order given.</summary>
    public Expr Xor(params ReadOnlySpan<Expr> operands) => Nary(ExprKind.Xor, operands);

    /// <summary>A node of <paramref name="kind"/> over <paramref name="operands"/> (And/Or/Xor need two or more, Not one).</summary>
    public Expr Make(ExprKind kind, ReadOnlySpan<Expr> operands) => kind switch
    {
        ExprKind.Empty => EmptyNode,
        ExprKind.Universe => UniverseNode,
        ExprKind.Not when operands.Length == 1 => Not(operands[0]),
        ExprKind.And or ExprKind.Or or ExprKind.Xor => Nary(kind, operands),
        _ => throw new ArgumentException($"cannot make a {kind} node from {operands.Length} operands", nameof(operands)),
    };

    /// <summary>The node equal to <paramref name="node"/> in this pool (copying it in when it came from elsewhere).</summary>
    public Expr Adopt(Expr node)
    {
        if (node.Kind is ExprKind.Empty)
        {
            return EmptyNode;
        }
        if (node.Kind is ExprKind.Universe)
        {
            return UniverseNode;
        }
        if (_nodes.TryGetValue(node, out var existing))
        {
            return existing;
        }
        if (node.OperandArray.Length == 0)
        {
            return Intern(node);
        }
        var operands = new Expr[node.OperandArray.Length];
        for (var i = 0; i < operands.Length; i++)
        {
            operands[i] = Adopt(node.OperandArray[i]);
        }
        return Intern(new Expr(node.Kind, node.Name, operands));
    }

    private Expr Nary(ExprKind kind, ReadOnlySpan<Expr> operands)
    {
        if (operands.Length < 2)
        {
            throw new ArgumentException($"{kind} needs at least two operands", nameof(operands));
        }
        var copy = new Expr[operands.Length];
        for (var i = 0; i < copy.Length; i++)
        {
            copy[i] = Adopt(operands[i]);
        }
        return Intern(new Expr(kind, null, copy));
    }

    private Expr Intern(Expr node)
    {
        if (_nodes.TryGetValue(node, out var existing))
        {
            return existing;
        }
        _nodes.Add(node, node);
        return node;
    }
}
