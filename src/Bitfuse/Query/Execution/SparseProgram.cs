using Bitfuse.Bitmaps;
using Bitfuse.Query.Optimization;
using Bitfuse.Query.Syntax;

namespace Bitfuse.Query.Execution;

/// <summary>
/// A key's tree as a list of container operations in post-order, for keys whose containers are small:
/// merging a few short arrays or runs costs less than expanding each into an 8 KiB bitset for a kernel.
/// Only trees without a complement outside an and qualify (<c>a &amp; !b</c> is and-not; <c>a | !b</c> needs the universe).
/// Operand encoding: a value &gt;= 0 is an earlier step's result, a negative value <c>~p</c> is query input p.
/// </summary>
internal sealed class SparseProgram
{
    private readonly Step[] _steps;

    private SparseProgram(Step[] steps) => _steps = steps;

    /// <summary>How many intermediate results the program holds at most.</summary>
    public int Steps => _steps.Length;

    /// <summary>The program for <paramref name="tree"/>, or null when the tree needs a complement.</summary>
    public static SparseProgram? Of(Expr tree)
    {
        var steps = new List<Step>();
        return Compile(tree, steps) >= 0 ? new SparseProgram([.. steps]) : null;
    }

    /// <summary>Runs the program; returns an owned container (empty descriptor for an empty answer).</summary>
    public Container Run(Bitmap[] inputs, int[] cursors, Container[] results)
    {
        for (var s = 0; s < _steps.Length; s++)
        {
            var step = _steps[s];
            Container accumulator = default;
            var owned = false;
            var empty = false;
            for (var i = 0; i < step.Operands.Length; i++)
            {
                var operand = step.Operands[i];
                var fromStep = operand >= 0;
                var c = fromStep ? results[operand] : inputs[~operand].ContainerAt(cursors[~operand]);
                if (i == 0)
                {
                    accumulator = c;
                    owned = fromStep;
                    empty = c.IsEmpty;
                    continue;
                }
                if (step.Kind == ExprKind.And && empty)
                {
                    Release(ref c, fromStep);
                    continue;
                }
                if (c.IsEmpty)
                {
                    if (step.Kind == ExprKind.And && !step.Negated[i])
                    {
                        Release(ref accumulator, owned);
                        accumulator = default;
                        owned = false;
                        empty = true;
                    }
                    continue;
                }
                if (empty)
                {
                    // Or/xor with an empty accumulator: the operand is the result so far.
                    accumulator = c;
                    owned = fromStep;
                    empty = false;
                    continue;
                }
                var next = step.Kind switch
                {
                    ExprKind.And when step.Negated[i] => ContainerAlgebra.AndNot(accumulator, c),
                    ExprKind.And => ContainerAlgebra.And(accumulator, c),
                    ExprKind.Or => ContainerAlgebra.Or(accumulator, c),
                    _ => ContainerAlgebra.Xor(accumulator, c),
                };
                Release(ref accumulator, owned);
                Release(ref c, fromStep);
                accumulator = next;
                owned = true;
                empty = accumulator.IsEmpty;
            }
            if (empty)
            {
                Release(ref accumulator, owned);
                accumulator = default;
            }
            else if (!owned)
            {
                accumulator = accumulator.Clone();
            }
            results[s] = accumulator;
        }
        var result = results[_steps.Length - 1];
        results[_steps.Length - 1] = default;
        return result;
    }

    private static void Release(ref Container c, bool owned)
    {
        if (owned)
        {
            c.Free();
        }
    }

    // Returns the operand encoding of node, or int.MinValue when it cannot run sparse.
    private static int Compile(Expr node, List<Step> steps)
    {
        switch (node.Kind)
        {
            case ExprKind.Variable:
                return ~CanonicalForm.PositionOf(node);
            case ExprKind.And:
            case ExprKind.Or:
            case ExprKind.Xor:
                var operands = new List<int>();
                var negated = new List<bool>();
                // Positive operands first: an and starts from something it can subtract from.
                foreach (var pass in new[] { false, true })
                {
                    foreach (var operand in node.Operands)
                    {
                        var isNot = operand.Kind == ExprKind.Not;
                        if (isNot != pass)
                        {
                            continue;
                        }
                        if (isNot && node.Kind != ExprKind.And)
                        {
                            return int.MinValue;
                        }
                        var code = Compile(isNot ? operand.Operands[0] : operand, steps);
                        if (code == int.MinValue)
                        {
                            return int.MinValue;
                        }
                        operands.Add(code);
                        negated.Add(isNot);
                    }
                }
                if (negated[0])
                {
                    return int.MinValue;
                }
                steps.Add(new Step(node.Kind, [.. operands], [.. negated]));
                return steps.Count - 1;
            default:
                return int.MinValue;
        }
    }

    private sealed record Step(ExprKind Kind, int[] Operands, bool[] Negated);
}
