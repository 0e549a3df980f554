using Bitfuse.Query.Syntax;

namespace Bitfuse.Query.Compilation;

/// <summary>
/// The 8-bit truth table <c>vpternlogq</c> takes for a subtree over at most three inputs: the subtree
/// evaluated bitwise with input 0 = 0xF0, input 1 = 0xCC, input 2 = 0xAA (Intel's operand order).
/// </summary>
internal static class TernaryLogicTable
{
    private static readonly byte[] Patterns = [0xF0, 0xCC, 0xAA];

    /// <summary>The control byte for <paramref name="subtree"/> whose leaves are among <paramref name="inputs"/> (at most three).</summary>
    public static byte Of(Expr subtree, IReadOnlyList<Expr> inputs)
    {
        if (inputs.Count is 0 or > 3)
        {
            throw new ArgumentException("a ternary cell takes one to three inputs", nameof(inputs));
        }
        return Evaluate(subtree, inputs);
    }

    private static byte Evaluate(Expr node, IReadOnlyList<Expr> inputs)
    {
        switch (node.Kind)
        {
            case ExprKind.Empty:
                return 0;
            case ExprKind.Universe:
                return 0xFF;
            case ExprKind.Not:
                return (byte)~Evaluate(node.OperandArray[0], inputs);
            case ExprKind.Variable:
                for (var i = 0; i < inputs.Count; i++)
                {
                    if (ReferenceEquals(inputs[i], node) || inputs[i].Equals(node))
                    {
                        return Patterns[i];
                    }
                }
                throw new ArgumentException($"'{node}' is not a cell input", nameof(inputs));
            default:
                var value = Evaluate(node.OperandArray[0], inputs);
                for (var i = 1; i < node.OperandArray.Length; i++)
                {
                    var next = Evaluate(node.OperandArray[i], inputs);
                    value = node.Kind switch
                    {
                        ExprKind.And => (byte)(value & next),
                        ExprKind.Or => (byte)(value | next),
                        _ => (byte)(value ^ next),
                    };
                }
                return value;
        }
    }
}
