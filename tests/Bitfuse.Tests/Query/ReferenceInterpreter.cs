using Bitfuse.Query.Syntax;

namespace Bitfuse.Tests.Query;

/// <summary>The model: evaluates a tree over <see cref="HashSet{T}"/> sets within the universe [0, universe).</summary>
internal static class ReferenceInterpreter
{
    public static HashSet<uint> Evaluate(Expr node, IReadOnlyDictionary<string, HashSet<uint>> inputs, uint universe)
    {
        switch (node.Kind)
        {
            case ExprKind.Empty:
                return [];
            case ExprKind.Universe:
                return All(universe);
            case ExprKind.Variable:
                return [.. inputs[node.Name!]];
            case ExprKind.Not:
                var all = All(universe);
                all.ExceptWith(Evaluate(node.Operands[0], inputs, universe));
                return all;
            default:
                var result = Evaluate(node.Operands[0], inputs, universe);
                for (var i = 1; i < node.Operands.Count; i++)
                {
                    var next = Evaluate(node.Operands[i], inputs, universe);
                    switch (node.Kind)
                    {
                        case ExprKind.And:
                            result.IntersectWith(next);
                            break;
                        case ExprKind.Or:
                            result.UnionWith(next);
                            break;
                        default:
                            result.SymmetricExceptWith(next);
                            break;
                    }
                }
                return result;
        }
    }

    /// <summary>The tree over single 64-bit words (for kernel checks), variables looked up by name.</summary>
    public static ulong EvaluateWord(Expr node, Func<string, ulong> input) => node.Kind switch
    {
        ExprKind.Empty => 0,
        ExprKind.Universe => ulong.MaxValue,
        ExprKind.Variable => input(node.Name!),
        ExprKind.Not => ~EvaluateWord(node.Operands[0], input),
        _ => Fold(node, input),
    };

    private static ulong Fold(Expr node, Func<string, ulong> input)
    {
        var value = EvaluateWord(node.Operands[0], input);
        for (var i = 1; i < node.Operands.Count; i++)
        {
            var next = EvaluateWord(node.Operands[i], input);
            value = node.Kind switch
            {
                ExprKind.And => value & next,
                ExprKind.Or => value | next,
                _ => value ^ next,
            };
        }
        return value;
    }

    private static HashSet<uint> All(uint universe)
    {
        var all = new HashSet<uint>();
        for (uint v = 0; v < universe; v++)
        {
            all.Add(v);
        }
        return all;
    }
}
