using System.Globalization;
using Bitfuse.Query.Syntax;

namespace Bitfuse.Query.Optimization;

/// <summary>
/// The shape of an optimized tree with its inputs named by position (<c>v0</c>, <c>v1</c>, ...), so
/// queries that differ only in their bitmap names share one kernel: <c>x &amp; y</c> and
/// <c>dog &amp; cat</c> both become <c>v0 &amp; v1</c>. <see cref="Inputs"/> maps each position back to its name.
/// Invariant: positions are numbered 0..n-1 in depth-first order of the sorted tree.
/// </summary>
internal sealed record CanonicalForm
{
    private CanonicalForm(Expr shape, IReadOnlyList<string> inputs, string key)
    {
        Shape = shape;
        Inputs = inputs;
        Key = key;
    }

    /// <summary>The positional tree.</summary>
    public Expr Shape { get; }

    /// <summary>The bitmap name of each position.</summary>
    public IReadOnlyList<string> Inputs { get; }

    /// <summary>The printed shape: the kernel cache key.</summary>
    public string Key { get; }

    /// <summary>The positional form of an optimized tree.</summary>
    public static CanonicalForm Of(Expr optimized, ExprPool pool)
    {
        ArgumentNullException.ThrowIfNull(optimized);
        ArgumentNullException.ThrowIfNull(pool);
        var positions = new Dictionary<string, int>(StringComparer.Ordinal);
        var inputs = new List<string>();
        Number(optimized, positions, inputs);
        var toPositions = new ToPositions(positions, pool);
        var shape = ExprRewriter.Rewrite(optimized, ref toPositions);
        return new CanonicalForm(shape, inputs, shape.ToString());
    }

    /// <summary>The position of a positional variable <c>v&lt;n&gt;</c>.</summary>
    public static int PositionOf(Expr variable)
    {
        var name = variable.Name;
        if (variable.Kind != ExprKind.Variable || name is null || name.Length < 2 || name[0] != 'v'
            || !int.TryParse(name.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out var position))
        {
            throw new ArgumentException($"'{variable}' is not a positional input", nameof(variable));
        }
        return position;
    }

    /// <summary>The name of position <paramref name="position"/>.</summary>
    public static string PositionName(int position) => "v" + position.ToString(CultureInfo.InvariantCulture);

    private static void Number(Expr node, Dictionary<string, int> positions, List<string> inputs)
    {
        if (node.Kind == ExprKind.Variable)
        {
            if (positions.TryAdd(node.Name!, inputs.Count))
            {
                inputs.Add(node.Name!);
            }
            return;
        }
        foreach (var operand in node.OperandArray)
        {
            Number(operand, positions, inputs);
        }
    }

    /// <summary>Renames each variable to its position and sorts the operands of n-ary nodes by position.</summary>
    private readonly struct ToPositions(Dictionary<string, int> positions, ExprPool pool) : IExprRewrite
    {
        public Expr Leaf(Expr node) =>
            node.Kind == ExprKind.Variable ? pool.Variable(PositionName(positions[node.Name!])) : node;

        public Expr Rebuild(Expr node, Expr[] operands)
        {
            if (node.IsNary)
            {
                Array.Sort(operands, ExprOrder.ByPosition);
            }
            return pool.Make(node.Kind, operands);
        }
    }
}
