using Bitfuse.Query.Syntax;

namespace Bitfuse.Cli;

/// <summary>
/// The demo's baseline: a query evaluated the usual way, one <see cref="Bitmap"/> operation per operator,
/// each building an intermediate bitmap (the first of a chain) or changing it in place (the rest).
/// </summary>
internal static class DemoPairwise
{
    /// <summary>Evaluates <paramref name="tree"/> over <paramref name="inputs"/> within [0, <paramref name="universe"/>); the caller disposes the result.</summary>
    public static Bitmap Evaluate(Expr tree, BitmapSet inputs, long universe)
    {
        var (bitmap, owned) = Run(tree, inputs, universe);
        return owned ? bitmap : bitmap.Clone();
    }

    private static (Bitmap Bitmap, bool Owned) Run(Expr node, BitmapSet inputs, long universe)
    {
        switch (node.Kind)
        {
            case ExprKind.Empty:
                return (new Bitmap(), true);
            case ExprKind.Universe:
                return (Bitmap.FromRange(0, universe), true);
            case ExprKind.Variable:
                return (inputs.Resolve(node.Name!), false);
            case ExprKind.Not:
                var (inner, innerOwned) = Run(node.Operands[0], inputs, universe);
                var complement = inner.Not(0, universe);
                Release(inner, innerOwned);
                return (complement, true);
        }
        var operands = node.Operands;
        var (first, firstOwned) = Run(operands[0], inputs, universe);
        Bitmap accumulator;
        var second = operands[1];
        if (node.Kind == ExprKind.And && second.Kind == ExprKind.Not)
        {
            var (negated, negatedOwned) = Run(second.Operands[0], inputs, universe);
            accumulator = first.AndNot(negated);
            Release(negated, negatedOwned);
        }
        else
        {
            var (right, rightOwned) = Run(second, inputs, universe);
            accumulator = node.Kind switch
            {
                ExprKind.And => first.And(right),
                ExprKind.Or => first.Or(right),
                _ => first.Xor(right),
            };
            Release(right, rightOwned);
        }
        Release(first, firstOwned);
        for (var i = 2; i < operands.Count; i++)
        {
            var operand = operands[i];
            if (node.Kind == ExprKind.And && operand.Kind == ExprKind.Not)
            {
                var (negated, negatedOwned) = Run(operand.Operands[0], inputs, universe);
                accumulator.AndNotInPlace(negated);
                Release(negated, negatedOwned);
                continue;
            }
            var (right, rightOwned) = Run(operand, inputs, universe);
            switch (node.Kind)
            {
                case ExprKind.And:
                    accumulator.AndInPlace(right);
                    break;
                case ExprKind.Or:
                    accumulator.OrInPlace(right);
                    break;
                default:
                    accumulator.XorInPlace(right);
                    break;
            }
            Release(right, rightOwned);
        }
        return (accumulator, true);
    }

    private static void Release(Bitmap bitmap, bool owned)
    {
        if (owned)
        {
            bitmap.Dispose();
        }
    }
}
