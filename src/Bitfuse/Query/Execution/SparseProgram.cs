using System.Runtime.CompilerServices;
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
        var last = _steps.Length - 1;
        RunSteps(last, inputs, cursors, results);
        var step = _steps[last];
        var result = Fold(step, step.Operands.Length, inputs, cursors, results);
        FreeResults(last, results);
        // A result that is one operand unchanged is still borrowed: the answer gets its own copy.
        return result.IsEmpty || result.Owned ? result : result.Clone();
    }

    /// <summary>The answer's cardinality: every step but the last runs as in <see cref="Run"/>, the last one
    /// folds all operands but one and counts its final operation (|a ∩ b|, |a| - |a ∩ b|, |a| + |b| - |a ∩ b|,
    /// |a| + |b| - 2|a ∩ b|), so the answer itself is never built.</summary>
    public long Count(Bitmap[] inputs, int[] cursors, Container[] results)
    {
        var last = _steps.Length - 1;
        RunSteps(last, inputs, cursors, results);
        var step = _steps[last];
        var m = step.Operands.Length;
        var a = Fold(step, m - 1, inputs, cursors, results);
        var b = Operand(step.Operands[m - 1], inputs, cursors, results);
        long count;
        if (step.Kind == ExprKind.And)
        {
            count = a.IsEmpty || b.IsEmpty
                ? (step.Negated[m - 1] ? a.Cardinality : 0)
                : step.Negated[m - 1] ? a.Cardinality - ContainerAlgebra.AndCount(a, b) : ContainerAlgebra.AndCount(a, b);
        }
        else
        {
            var both = a.IsEmpty || b.IsEmpty ? 0 : ContainerAlgebra.AndCount(a, b);
            count = (long)a.Cardinality + b.Cardinality - (step.Kind == ExprKind.Or ? both : 2 * both);
        }
        a.Free();
        b.Free();
        FreeResults(last, results);
        return count;
    }

    /// <summary>
    /// A rough cost, in nanoseconds, of running the program over the key's containers: each step's result is
    /// guessed from its operands' cardinalities (an and keeps the smaller, an or or xor the sum), and each
    /// pairwise operation costs what its kernel touches (merging arrays: both lengths; probing a bitset: the
    /// array's length; whole bitsets: 8 KiB passes). Run containers are merged as intervals whatever their
    /// cardinality (<see cref="ContainerAlgebra"/> keeps runs as runs), so a pair of run operands costs its run
    /// counts, and its result is taken to be runs again, with at most the sum of their runs. Compared with
    /// <see cref="KernelCost"/> to pick a path.
    /// </summary>
    [SkipLocalsInit]
    public double Cost(Bitmap[] inputs, int[] cursors)
    {
        var n = _steps.Length;
        Span<int> cardinalities = n <= 64 ? stackalloc int[n] : new int[n];
        Span<int> runCounts = n <= 64 ? stackalloc int[n] : new int[n];
        double cost = 0;
        for (var s = 0; s < n; s++)
        {
            var step = _steps[s];
            var (a, ra) = Estimate(step.Operands[0], inputs, cursors, cardinalities, runCounts);
            for (var i = 1; i < step.Operands.Length; i++)
            {
                var (b, rb) = Estimate(step.Operands[i], inputs, cursors, cardinalities, runCounts);
                var and = step.Kind == ExprKind.And && !step.Negated[i];
                var next = step.Kind != ExprKind.And ? Math.Min(65536, a + b) : and ? Math.Min(a, b) : a;
                // Every intermediate result is a new container.
                cost += AllocationCost;
                if (ra >= 0 && rb >= 0)
                {
                    cost += MergeCost * (ra + rb);
                    ra = ra + rb;
                }
                else if (and && (ra >= 0 || rb >= 0) && Math.Min(a, b) <= ContainerAlgebra.ArrayMax && (ra >= 0 ? b : a) <= ContainerAlgebra.ArrayMax)
                {
                    // An array filtered through a run container: one pass over both.
                    cost += MergeCost * (Math.Max(ra, 0) + Math.Max(rb, 0) + Math.Min(a, b));
                    ra = -1;
                }
                else
                {
                    cost += PairCost(a, b, probe: step.Kind == ExprKind.And, keepLeft: step.Kind == ExprKind.And && !and);
                    // A result made from a large run container and a bitset is also measured for runs (a pass
                    // over its 8 KiB) to pick its kind.
                    if (Math.Max(a, b) > ContainerAlgebra.ArrayMax && (ra >= 0 || rb >= 0))
                    {
                        cost += BitsetPassCost;
                    }
                    ra = -1;
                }
                a = next;
            }
            cardinalities[s] = a;
            runCounts[s] = ra;
        }
        return cost;
    }

    /// <summary>The rough cost, in nanoseconds, of the fused kernel over the key: every array or run container
    /// is expanded into a cleared scratch bitset, then the kernel streams each input and the output once; a
    /// materialised answer is then counted and, when small, converted to an array.</summary>
    public static double KernelCost(Bitmap[] inputs, int[] cursors, int[] kernelInputs, bool materialise)
    {
        var cost = materialise ? 3 * BitsetPassCost : BitsetPassCost;
        foreach (var p in kernelInputs)
        {
            ref readonly var c = ref inputs[p].ContainerAt(cursors[p]);
            cost += BitsetPassCost;
            if (c.Kind != ContainerKind.Bitset)
            {
                cost += BitsetPassCost + (c.Kind == ContainerKind.Array ? ScatterCost * c.Cardinality : RunSpanCost * c.Length);
            }
        }
        return cost;
    }

    // Nanoseconds (measured on realdata keys, rounded): one 8 KiB pass of a vector loop, setting one value in a
    // bitset, filling one run, one value of an array merge or probe, and allocating plus freeing a container.
    private const double BitsetPassCost = 150;
    private const double ScatterCost = 0.4;
    private const double RunSpanCost = 10;
    private const double MergeCost = 0.6;
    private const double ProbeCost = 1.0;
    private const double AllocationCost = 40;

    // The cost of one pairwise operation given the operands' cardinalities (over 4096 means a bitset):
    // probe for and (keepLeft: and-not, whose answer is within a), else or/xor.
    private static double PairCost(int a, int b, bool probe, bool keepLeft)
    {
        var aArray = a <= ContainerAlgebra.ArrayMax;
        var bArray = b <= ContainerAlgebra.ArrayMax;
        if (aArray && bArray)
        {
            var small = Math.Min(a, b);
            var large = Math.Max(a, b);
            if (probe && small * 32 < large)
            {
                return ProbeCost * small * Math.Log2(large + 1);
            }
            // A union past 4096 values builds a bitset.
            return !probe && a + b > ContainerAlgebra.ArrayMax ? BitsetPassCost + ScatterCost * (a + b) : MergeCost * (a + b);
        }
        if (aArray || bArray)
        {
            var array = aArray ? a : b;
            // And (and and-not of an array) probes the bitset per value; the rest copy the bitset and set or clear each value.
            return probe && (aArray || !keepLeft) ? ProbeCost * array : (2 * BitsetPassCost) + (ScatterCost * array);
        }
        // Read both, write the answer, count it.
        return 3 * BitsetPassCost;
    }

    // An operand's cardinality, and its run count when it is (or is guessed to be) a run container, else -1.
    private static (int Cardinality, int Runs) Estimate(int operand, Bitmap[] inputs, int[] cursors, Span<int> cardinalities, Span<int> runCounts)
    {
        if (operand >= 0)
        {
            return (cardinalities[operand], runCounts[operand]);
        }
        ref readonly var c = ref inputs[~operand].ContainerAt(cursors[~operand]);
        return (c.Cardinality, c.Kind == ContainerKind.Run ? c.Length : -1);
    }

    // Runs steps [0, end) into results; a step's result is owned, or a borrowed descriptor of an input.
    private void RunSteps(int end, Bitmap[] inputs, int[] cursors, Container[] results)
    {
        for (var s = 0; s < end; s++)
        {
            var step = _steps[s];
            results[s] = Fold(step, step.Operands.Length, inputs, cursors, results);
        }
    }

    private static void FreeResults(int end, Container[] results)
    {
        for (var s = 0; s < end; s++)
        {
            results[s].Free();
        }
    }

    // An operand as a descriptor the caller may Free: an input's container marked borrowed, or a step's
    // result (whose ownership moves to the caller: each result is read by exactly one later step).
    private static Container Operand(int operand, Bitmap[] inputs, int[] cursors, Container[] results)
    {
        if (operand >= 0)
        {
            var r = results[operand];
            results[operand] = default;
            return r;
        }
        var c = inputs[~operand].ContainerAt(cursors[~operand]);
        c.Owned = false;
        return c;
    }

    // The step's operation over its first `count` operands, in the order the program lists them.
    // And stops at the first empty operand; the accumulator is freed as soon as it is replaced.
    private static Container Fold(Step step, int count, Bitmap[] inputs, int[] cursors, Container[] results)
    {
        var accumulator = Operand(step.Operands[0], inputs, cursors, results);
        for (var i = 1; i < count; i++)
        {
            var c = Operand(step.Operands[i], inputs, cursors, results);
            if (step.Kind == ExprKind.And && accumulator.IsEmpty)
            {
                c.Free();
                continue;
            }
            if (c.IsEmpty)
            {
                if (step.Kind == ExprKind.And && !step.Negated[i])
                {
                    accumulator.Free();
                }
                continue;
            }
            if (accumulator.IsEmpty)
            {
                // Or/xor with an empty accumulator: the operand is the result so far.
                accumulator = c;
                continue;
            }
            var next = step.Kind switch
            {
                ExprKind.And when step.Negated[i] => ContainerAlgebra.AndNot(accumulator, c),
                ExprKind.And => ContainerAlgebra.And(accumulator, c),
                ExprKind.Or => ContainerAlgebra.Or(accumulator, c),
                _ => ContainerAlgebra.Xor(accumulator, c),
            };
            accumulator.Free();
            c.Free();
            accumulator = next;
        }
        return accumulator;
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
