using Bitfuse.Fields;
using Bitfuse.Query.Syntax;

namespace Bitfuse.Query.Optimization;

/// <summary>
/// Replaces each comparison of an int field by a boolean tree over the field's bit slices, for one schema
/// (minimum, depth) of each field, so the comparison compiles into the same fused kernel as the tree around it.
/// Invariants (docs/design/fields.md):
/// <list type="bullet">
/// <item>slice i of field f holds the columns whose offset <c>value − minimum</c> has bit i; <c>f@exists</c> holds the
/// columns with a value, and no slice holds a column outside it;</item>
/// <item><c>v ≥ t</c> is built from the least significant slice up (O'Neil's comparison unrolled for the constant):
/// <c>g := $1; for each bit i: g := t_i ? B_i &amp; g : B_i | g</c>, then <c>exists &amp; g</c>. While g is still
/// <c>$1</c> a zero bit leaves it <c>$1</c>, so the trailing zero bits of t never read their slices;</item>
/// <item><c>v &lt; t</c> is <c>exists &amp; !g</c>; <c>v = t</c> is <c>exists &amp; ∧(t_i ? B_i : !B_i)</c>; a constant outside
/// <c>[0, 2^depth)</c> folds to <c>$0</c> or <c>exists</c> without reading a slice.</item>
/// </list>
/// </summary>
internal static class RangeLowering
{
    /// <summary>The tree with every comparison replaced; <paramref name="schemaOf"/> gives each field's schema.</summary>
    public static Expr Lower(Expr tree, ExprPool pool, Func<string, IntFieldSchema> schemaOf)
    {
        var comparisons = new ComparisonsToSlices(pool, schemaOf);
        return ExprRewriter.Rewrite(tree, ref comparisons);
    }

    /// <summary>True when <paramref name="tree"/> holds a comparison.</summary>
    public static bool HasComparison(Expr tree)
    {
        if (tree.Kind == ExprKind.Compare)
        {
            return true;
        }
        foreach (var operand in tree.OperandArray)
        {
            if (HasComparison(operand))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>Replaces each comparison by its slice tree; other leaves are adopted into the pool.</summary>
    private readonly struct ComparisonsToSlices(ExprPool pool, Func<string, IntFieldSchema> schemaOf) : IExprRewrite
    {
        public Expr Leaf(Expr node) =>
            node.Kind == ExprKind.Compare ? Comparison(node, pool, schemaOf(node.Name!)) : pool.Adopt(node);

        public Expr Rebuild(Expr node, Expr[] operands) => pool.Make(node.Kind, operands);
    }

    private static Expr Comparison(Expr node, ExprPool pool, IntFieldSchema schema)
    {
        var field = node.Name!;
        var exists = pool.Variable(FieldNames.Exists(field));
        var t = (Int128)node.Value - schema.Minimum;
        return node.Comparison switch
        {
            ComparisonOperator.GreaterOrEqual => AtLeast(field, schema, t, exists, pool),
            ComparisonOperator.Greater => AtLeast(field, schema, t + 1, exists, pool),
            ComparisonOperator.Less => Below(field, schema, t, exists, pool),
            ComparisonOperator.LessOrEqual => Below(field, schema, t + 1, exists, pool),
            ComparisonOperator.Equal => Equal(field, schema, t, exists, pool, negate: false),
            ComparisonOperator.NotEqual => Equal(field, schema, t, exists, pool, negate: true),
            ComparisonOperator.HasValue => exists,
            _ => pool.Not(exists),
        };
    }

    private static Int128 Largest(IntFieldSchema schema) => (Int128.One << schema.Depth) - 1;

    private static Expr AtLeast(string field, IntFieldSchema schema, Int128 t, Expr exists, ExprPool pool)
    {
        if (t <= 0)
        {
            return exists;
        }
        if (t > Largest(schema))
        {
            return pool.Empty;
        }
        var g = AtLeastSlices(field, schema, (ulong)t, pool);
        return g.Kind == ExprKind.Universe ? exists : pool.And(exists, g);
    }

    private static Expr Below(string field, IntFieldSchema schema, Int128 t, Expr exists, ExprPool pool)
    {
        if (t <= 0)
        {
            return pool.Empty;
        }
        if (t > Largest(schema))
        {
            return exists;
        }
        var g = AtLeastSlices(field, schema, (ulong)t, pool);
        return g.Kind == ExprKind.Universe ? pool.Empty : pool.And(exists, pool.Not(g));
    }

    // v >= t over the slices alone (true where v's bits say so; the caller ANDs exists), t >= 1.
    private static Expr AtLeastSlices(string field, IntFieldSchema schema, ulong t, ExprPool pool)
    {
        var g = pool.Universe;
        for (var bit = 0; bit < schema.Depth; bit++)
        {
            var one = (t >> bit & 1) != 0;
            if (g.Kind == ExprKind.Universe)
            {
                if (one)
                {
                    g = pool.Variable(FieldNames.Slice(field, bit));
                }
                continue;
            }
            var slice = pool.Variable(FieldNames.Slice(field, bit));
            g = one ? pool.And(slice, g) : pool.Or(slice, g);
        }
        return g;
    }

    private static Expr Equal(string field, IntFieldSchema schema, Int128 t, Expr exists, ExprPool pool, bool negate)
    {
        if (t < 0 || t > Largest(schema))
        {
            return negate ? exists : pool.Empty;
        }
        var offset = (ulong)t;
        if (schema.Depth == 0)
        {
            return negate ? pool.Empty : exists;
        }
        var bits = new Expr[schema.Depth];
        for (var bit = 0; bit < schema.Depth; bit++)
        {
            var slice = pool.Variable(FieldNames.Slice(field, bit));
            bits[bit] = (offset >> bit & 1) != 0 ? slice : pool.Not(slice);
        }
        var match = bits.Length == 1 ? bits[0] : pool.And(bits);
        return pool.And(exists, negate ? pool.Not(match) : match);
    }
}
