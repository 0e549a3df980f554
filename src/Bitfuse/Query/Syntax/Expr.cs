using System.Text;

namespace Bitfuse.Query.Syntax;

/// <summary>
/// An immutable expression node. Nodes are made by an <see cref="ExprPool"/>, which hash-conses them:
/// within one pool two structurally equal subtrees are the same object, so common subexpressions are
/// shared and equality is a reference comparison. Equality across pools is structural. Nodes built in code
/// (<see cref="Q"/> and the operators) belong to no pool until a compile adopts them.
/// <see cref="ToString"/> prints a form that <see cref="Parser"/> reads back to an equal tree.
/// </summary>
public sealed partial class Expr : IEquatable<Expr>
{
    private readonly int _hash;

    internal Expr(ExprKind kind, string? name, Expr[] operands)
        : this(kind, name, operands, default, 0)
    {
    }

    internal Expr(ExprKind kind, string? name, Expr[] operands, ComparisonOperator comparison, long value)
    {
        Kind = kind;
        Name = name;
        OperandArray = operands;
        Comparison = comparison;
        Value = value;
        var hash = new HashCode();
        hash.Add(kind);
        hash.Add(name, StringComparer.Ordinal);
        hash.Add(comparison);
        hash.Add(value);
        var depth = 0;
        foreach (var operand in operands)
        {
            hash.Add(operand._hash);
            depth = Math.Max(depth, operand.Depth);
        }
        _hash = hash.ToHashCode();
        Depth = operands.Length == 0 ? 1 : depth + 1;
    }

    /// <summary>What the node is.</summary>
    public ExprKind Kind { get; }

    /// <summary>The bitmap name of a <see cref="ExprKind.Variable"/>, the field of a <see cref="ExprKind.Compare"/>; null for other kinds.</summary>
    public string? Name { get; }

    /// <summary>The operator of a <see cref="ExprKind.Compare"/>.</summary>
    public ComparisonOperator Comparison { get; }

    /// <summary>The constant of a <see cref="ExprKind.Compare"/> (0 for the null tests).</summary>
    public long Value { get; }

    /// <summary>The operands: one for <see cref="ExprKind.Not"/>, two or more for And/Or/Xor, none otherwise.</summary>
    public IReadOnlyList<Expr> Operands => OperandArray;

    /// <summary>The height of the tree: 1 for a leaf.</summary>
    public int Depth { get; }

    internal Expr[] OperandArray { get; }

    /// <summary>True for And, Or and Xor.</summary>
    public bool IsNary => Kind is ExprKind.And or ExprKind.Or or ExprKind.Xor;

    /// <inheritdoc />
    public bool Equals(Expr? other)
    {
        if (ReferenceEquals(this, other))
        {
            return true;
        }
        if (other is null || other._hash != _hash || other.Kind != Kind || other.OperandArray.Length != OperandArray.Length
            || !string.Equals(other.Name, Name, StringComparison.Ordinal) || other.Comparison != Comparison || other.Value != Value)
        {
            return false;
        }
        for (var i = 0; i < OperandArray.Length; i++)
        {
            if (!OperandArray[i].Equals(other.OperandArray[i]))
            {
                return false;
            }
        }
        return true;
    }

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is Expr other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => _hash;

    /// <summary>The query text of this tree: operators with spaces, nested operators in parentheses.</summary>
    public override string ToString()
    {
        var text = new StringBuilder();
        Print(text);
        return text.ToString();
    }

    /// <summary>Appends the query text of this tree to <paramref name="text"/>.</summary>
    public void Print(StringBuilder text)
    {
        switch (Kind)
        {
            case ExprKind.Empty:
                text.Append("$0");
                break;
            case ExprKind.Universe:
                text.Append("$1");
                break;
            case ExprKind.Variable:
                PrintName(text, Name!);
                break;
            case ExprKind.Compare:
                PrintComparison(text);
                break;
            case ExprKind.Not:
                text.Append('!');
                PrintOperand(text, OperandArray[0]);
                break;
            default:
                var op = Kind switch
                {
                    ExprKind.And => " & ",
                    ExprKind.Or => " | ",
                    _ => " ^ ",
                };
                for (var i = 0; i < OperandArray.Length; i++)
                {
                    if (i > 0)
                    {
                        text.Append(op);
                    }
                    PrintOperand(text, OperandArray[i]);
                }
                break;
        }
    }

    private void PrintComparison(StringBuilder text)
    {
        PrintName(text, Name!);
        text.Append(Comparison switch
        {
            ComparisonOperator.Less => " < ",
            ComparisonOperator.LessOrEqual => " <= ",
            ComparisonOperator.Greater => " > ",
            ComparisonOperator.GreaterOrEqual => " >= ",
            ComparisonOperator.Equal or ComparisonOperator.IsNull => " = ",
            _ => " != ",
        });
        if (Comparison is ComparisonOperator.HasValue or ComparisonOperator.IsNull)
        {
            text.Append("null");
        }
        else
        {
            text.Append(Value.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    private static void PrintOperand(StringBuilder text, Expr operand)
    {
        if (operand.IsNary)
        {
            text.Append('(');
            operand.Print(text);
            text.Append(')');
        }
        else
        {
            operand.Print(text);
        }
    }

    private static void PrintName(StringBuilder text, string name)
    {
        if (Lexer.IsBareName(name))
        {
            text.Append(name);
            return;
        }
        text.Append('"');
        foreach (var c in name)
        {
            if (c is '"' or '\\')
            {
                text.Append('\\');
            }
            text.Append(c);
        }
        text.Append('"');
    }
}
