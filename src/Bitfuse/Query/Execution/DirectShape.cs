using Bitfuse.Query.Optimization;
using Bitfuse.Query.Syntax;

namespace Bitfuse.Query.Execution;

/// <summary>
/// The root forms that run without per-key plans, on container-pair algorithms: a pair (<c>a op b</c>), an
/// AND of inputs and negated inputs, an OR of inputs, and an XOR of inputs. Decided once per compiled query from its
/// canonical shape; positions index the query's positional inputs.
/// </summary>
internal sealed class DirectShape
{
    private DirectShape(DirectShapeKind kind, int[] positives, int[] negatives)
    {
        Kind = kind;
        Positives = positives;
        Negatives = negatives;
        if (kind is DirectShapeKind.AndPair or DirectShapeKind.AndNotPair or DirectShapeKind.OrPair or DirectShapeKind.XorPair)
        {
            Left = positives[0];
            Right = kind == DirectShapeKind.AndNotPair ? negatives[0] : positives[1];
        }
    }

    /// <summary>Which direct form, or <see cref="DirectShapeKind.General"/> for the per-key planner.</summary>
    public DirectShapeKind Kind { get; }

    /// <summary>The positive operands (for a pair: the left then the right operand; for and-not, the kept one).</summary>
    public int[] Positives { get; }

    /// <summary>The negated operands of an AND (for and-not, the removed one).</summary>
    public int[] Negatives { get; }

    /// <summary>For a pair: the left operand (the kept one of an and-not); 0 for the other forms.</summary>
    public int Left { get; }

    /// <summary>For a pair: the right operand (the removed one of an and-not); 0 for the other forms.</summary>
    public int Right { get; }

    /// <summary>The form of <paramref name="shape"/> (a positional tree, see <see cref="CanonicalForm"/>).</summary>
    public static DirectShape Of(Expr shape)
    {
        var general = new DirectShape(DirectShapeKind.General, [], []);
        if (shape.Kind is not (ExprKind.And or ExprKind.Or or ExprKind.Xor))
        {
            return general;
        }
        var positives = new List<int>();
        var negatives = new List<int>();
        foreach (var operand in shape.Operands)
        {
            if (operand.Kind == ExprKind.Variable)
            {
                positives.Add(CanonicalForm.PositionOf(operand));
            }
            else if (shape.Kind == ExprKind.And && operand.Kind == ExprKind.Not && operand.Operands[0].Kind == ExprKind.Variable)
            {
                negatives.Add(CanonicalForm.PositionOf(operand.Operands[0]));
            }
            else
            {
                return general;
            }
        }
        if (positives.Count == 0)
        {
            // !a & !b needs the universe: the per-key planner walks it.
            return general;
        }
        var count = positives.Count + negatives.Count;
        var kind = (shape.Kind, count, negatives.Count) switch
        {
            (ExprKind.And, 2, 0) => DirectShapeKind.AndPair,
            (ExprKind.And, 2, 1) => DirectShapeKind.AndNotPair,
            (ExprKind.Or, 2, _) => DirectShapeKind.OrPair,
            (ExprKind.Xor, 2, _) => DirectShapeKind.XorPair,
            (ExprKind.And, _, _) => DirectShapeKind.Intersect,
            (ExprKind.Or, _, _) => DirectShapeKind.Union,
            _ => DirectShapeKind.SymmetricDifference,
        };
        return new DirectShape(kind, [.. positives], [.. negatives]);
    }
}
