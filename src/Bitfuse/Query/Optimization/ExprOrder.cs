using Bitfuse.Query.Syntax;

namespace Bitfuse.Query.Optimization;

/// <summary>
/// The canonical order of operands: by shape first (kind, depth, operand count, then the operands'
/// shapes), with names only breaking ties. Ordering by shape before names is what lets
/// <c>dog &amp; cat</c> and <c>x &amp; y</c> reach one positional form.
/// </summary>
internal sealed class ExprOrder : IComparer<Expr>
{
    /// <summary>Ties between variables broken by name, ordinal.</summary>
    public static readonly ExprOrder ByName = new(positional: false);

    /// <summary>Ties between positional variables (<c>v0</c>, <c>v1</c>, ...) broken by their number.</summary>
    public static readonly ExprOrder ByPosition = new(positional: true);

    private readonly bool _positional;

    private ExprOrder(bool positional) => _positional = positional;

    public int Compare(Expr? x, Expr? y)
    {
        if (ReferenceEquals(x, y))
        {
            return 0;
        }
        if (x is null || y is null)
        {
            return x is null ? -1 : 1;
        }
        var shape = CompareShape(x, y);
        return shape != 0 ? shape : CompareNames(x, y);
    }

    private static int CompareShape(Expr x, Expr y)
    {
        if (ReferenceEquals(x, y))
        {
            return 0;
        }
        var c = x.Kind.CompareTo(y.Kind);
        if (c != 0)
        {
            return c;
        }
        c = x.Depth.CompareTo(y.Depth);
        if (c != 0)
        {
            return c;
        }
        var xs = x.OperandArray;
        var ys = y.OperandArray;
        c = xs.Length.CompareTo(ys.Length);
        for (var i = 0; c == 0 && i < xs.Length; i++)
        {
            c = CompareShape(xs[i], ys[i]);
        }
        return c;
    }

    private int CompareNames(Expr x, Expr y)
    {
        if (ReferenceEquals(x, y))
        {
            return 0;
        }
        if (x.Kind == ExprKind.Compare)
        {
            var byField = string.CompareOrdinal(x.Name, y.Name);
            return byField != 0 ? byField : x.Comparison != y.Comparison ? x.Comparison.CompareTo(y.Comparison) : x.Value.CompareTo(y.Value);
        }
        if (x.Kind == ExprKind.Variable)
        {
            return _positional
                ? CanonicalForm.PositionOf(x).CompareTo(CanonicalForm.PositionOf(y))
                : string.CompareOrdinal(x.Name, y.Name);
        }
        var xs = x.OperandArray;
        var ys = y.OperandArray;
        for (var i = 0; i < xs.Length; i++)
        {
            var c = CompareNames(xs[i], ys[i]);
            if (c != 0)
            {
                return c;
            }
        }
        return 0;
    }
}
