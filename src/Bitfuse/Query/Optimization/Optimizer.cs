using Bitfuse.Query.Syntax;

namespace Bitfuse.Query.Optimization;

/// <summary>
/// Rewrites a tree to an equivalent, smaller one, to a fixed point. Every rule holds in the Boolean
/// algebra of subsets of a universe (<c>$1</c>), so the answer never changes:
/// <list type="bullet">
/// <item>flattening: <c>(a &amp; b) &amp; c = a &amp; b &amp; c</c>, likewise for <c>|</c> and <c>^</c>;</item>
/// <item>constants: <c>a &amp; $0 = $0</c>, <c>a &amp; $1 = a</c>, <c>a | $1 = $1</c>, <c>a | $0 = a</c>,
/// <c>a ^ $0 = a</c>, <c>a ^ $1 = !a</c>, <c>!$0 = $1</c>;</item>
/// <item>same operand: <c>a &amp; a = a</c>, <c>a | a = a</c>, <c>a ^ a = $0</c>, <c>a &amp; !a = $0</c>, <c>a | !a = $1</c>;</item>
/// <item>nots: <c>!!a = a</c>; nots leave xor (<c>!a ^ b = !(a ^ b)</c>); De Morgan is applied in whichever
/// direction leaves fewer nots (<c>!a &amp; !b = !(a | b)</c>), except that an and with a positive operand stays
/// an and (<c>a &amp; !b &amp; !c</c>, and <c>!(b | c | !a)</c> becomes it): a kernel pays nothing for an and-not, and
/// an and-rooted tree lets execution intersect keys and containers instead of walking every input's keys;</item>
/// <item>absorption: <c>a &amp; (a | b) = a</c>, <c>a | (a &amp; b) = a</c>;</item>
/// <item>canonical order: operands sorted by <see cref="ExprOrder"/>, so <c>b &amp; a</c> and <c>a &amp; b</c> are one tree.</item>
/// </list>
/// </summary>
internal static class Optimizer
{
    private const int MaxPasses = 64;

    /// <summary>Optimizes <paramref name="tree"/> with a new pool.</summary>
    public static Expr Optimize(Expr tree) => Optimize(tree, new ExprPool());

    /// <summary>Optimizes <paramref name="tree"/>, making new nodes in <paramref name="pool"/>.</summary>
    public static Expr Optimize(Expr tree, ExprPool pool)
    {
        ArgumentNullException.ThrowIfNull(tree);
        ArgumentNullException.ThrowIfNull(pool);
        var current = pool.Adopt(tree);
        for (var pass = 0; pass < MaxPasses; pass++)
        {
            var rules = new OnePass(pool);
            var next = ExprRewriter.Rewrite(current, ref rules);
            if (ReferenceEquals(next, current))
            {
                return current;
            }
            current = next;
        }
        return current;
    }

    /// <summary>One pass of the rules, applied at each inner node after its operands.</summary>
    private readonly struct OnePass(ExprPool pool) : IExprRewrite
    {
        public Expr Leaf(Expr node) => node;

        public Expr Rebuild(Expr node, Expr[] operands) => node.Kind switch
        {
            ExprKind.Not => RewriteNot(operands[0], pool),
            ExprKind.And => RewriteAndOr(ExprKind.And, operands, pool),
            ExprKind.Or => RewriteAndOr(ExprKind.Or, operands, pool),
            _ => RewriteXor(operands, pool),
        };
    }

    private static Expr RewriteNot(Expr operand, ExprPool pool)
    {
        switch (operand.Kind)
        {
            case ExprKind.Empty:
                return pool.Universe;
            case ExprKind.Universe:
                return pool.Empty;
            case ExprKind.Not:
                return operand.OperandArray[0];
            case ExprKind.And:
            case ExprKind.Or:
                // !(a & b) = !a | !b: worth it when that leaves fewer nots than 1 + the nots inside, and always
                // when it makes an and with a positive operand (!(a | !b) = b & !a).
                var inner = operand.OperandArray;
                var nots = CountNots(inner);
                if (inner.Length - nots < 1 + nots || (operand.Kind == ExprKind.Or && nots > 0))
                {
                    return pool.Make(operand.Kind == ExprKind.And ? ExprKind.Or : ExprKind.And, Negate(inner, pool));
                }
                return pool.Not(operand);
            default:
                return pool.Not(operand);
        }
    }

    private static Expr RewriteAndOr(ExprKind kind, Expr[] operands, ExprPool pool)
    {
        var isAnd = kind == ExprKind.And;
        var identity = isAnd ? ExprKind.Universe : ExprKind.Empty;
        var absorbing = isAnd ? ExprKind.Empty : ExprKind.Universe;
        var list = new List<Expr>(operands.Length);
        var set = new HashSet<Expr>(ReferenceEqualityComparer.Instance);
        foreach (var operand in operands)
        {
            if (operand.Kind == kind)
            {
                foreach (var inner in operand.OperandArray)
                {
                    if (set.Add(inner))
                    {
                        list.Add(inner);
                    }
                }
            }
            else if (set.Add(operand))
            {
                list.Add(operand);
            }
        }
        for (var i = list.Count - 1; i >= 0; i--)
        {
            var operand = list[i];
            if (operand.Kind == absorbing)
            {
                return pool.Make(absorbing, []);
            }
            if (operand.Kind == identity)
            {
                list.RemoveAt(i);
                continue;
            }
            if (operand.Kind == ExprKind.Not && set.Contains(operand.OperandArray[0]))
            {
                return pool.Make(absorbing, []);
            }
        }
        // Absorption: a & (a | b) = a and a | (a & b) = a.
        var dual = isAnd ? ExprKind.Or : ExprKind.And;
        for (var i = list.Count - 1; i >= 0; i--)
        {
            var operand = list[i];
            if (operand.Kind != dual)
            {
                continue;
            }
            foreach (var inner in operand.OperandArray)
            {
                if (set.Contains(inner) && !ReferenceEquals(inner, operand))
                {
                    set.Remove(operand);
                    list.RemoveAt(i);
                    break;
                }
            }
        }
        if (list.Count == 0)
        {
            return pool.Make(identity, []);
        }
        if (list.Count == 1)
        {
            return list[0];
        }
        var array = list.ToArray();
        // De Morgan: !a | !b | c = !(a & b & !c) when that has fewer nots; an and only when it has no positive
        // operand (!a & !b = !(a | b)), so a & !b & !c stays an and.
        var nots = CountNots(array);
        if (1 + (array.Length - nots) < nots && (!isAnd || nots == array.Length))
        {
            return pool.Not(Sorted(dual, Negate(array, pool), pool));
        }
        return Sorted(kind, array, pool);
    }

    private static Expr RewriteXor(Expr[] operands, ExprPool pool)
    {
        var negate = false;
        var odd = new Dictionary<Expr, bool>(ReferenceEqualityComparer.Instance);
        var order = new List<Expr>(operands.Length);
        void Add(Expr operand)
        {
            switch (operand.Kind)
            {
                case ExprKind.Empty:
                    return;
                case ExprKind.Universe:
                    negate = !negate;
                    return;
                case ExprKind.Not:
                    negate = !negate;
                    Add(operand.OperandArray[0]);
                    return;
                case ExprKind.Xor:
                    foreach (var inner in operand.OperandArray)
                    {
                        Add(inner);
                    }
                    return;
                default:
                    if (odd.TryGetValue(operand, out var present))
                    {
                        odd[operand] = !present;
                    }
                    else
                    {
                        odd[operand] = true;
                        order.Add(operand);
                    }
                    return;
            }
        }
        foreach (var operand in operands)
        {
            Add(operand);
        }
        var kept = new List<Expr>(order.Count);
        foreach (var operand in order)
        {
            if (odd[operand])
            {
                kept.Add(operand);
            }
        }
        var result = kept.Count switch
        {
            0 => pool.Empty,
            1 => kept[0],
            _ => Sorted(ExprKind.Xor, kept.ToArray(), pool),
        };
        return negate ? RewriteNot(result, pool) : result;
    }

    private static Expr Sorted(ExprKind kind, Expr[] operands, ExprPool pool)
    {
        Array.Sort(operands, ExprOrder.ByName);
        return pool.Make(kind, operands);
    }

    private static int CountNots(Expr[] operands)
    {
        var nots = 0;
        foreach (var operand in operands)
        {
            if (operand.Kind == ExprKind.Not)
            {
                nots++;
            }
        }
        return nots;
    }

    private static Expr[] Negate(Expr[] operands, ExprPool pool)
    {
        var negated = new Expr[operands.Length];
        for (var i = 0; i < negated.Length; i++)
        {
            negated[i] = operands[i].Kind == ExprKind.Not ? operands[i].OperandArray[0] : pool.Not(operands[i]);
        }
        return negated;
    }
}
