using System.Runtime.CompilerServices;
using Bitfuse.Bitmaps.MultiWay;

namespace Bitfuse.Query.Execution;

/// <summary>
/// Runs the root forms of <see cref="DirectShape"/> straight on container-pair algorithms, without the per-key
/// planner: pairs through the bitmaps' own pairwise operations (and their counting identities,
/// |a ∪ b| = |a| + |b| - |a ∩ b|), ANDs through <see cref="IntersectExecution"/>, ORs through
/// <see cref="UnionExecution"/>, XORs through <see cref="SymmetricDifferenceExecution"/>. Only for a count or a new bitmap on one thread, and only when the universe
/// cannot cut the answer (none given, or one that holds every input value): each of these forms answers a
/// subset of its inputs' union. Anything else goes to <see cref="QueryExecution"/>.
/// </summary>
internal static class DirectExecution
{
    /// <summary>True when <paramref name="shape"/> can run here for these options (before looking at the inputs).</summary>
    public static bool Accepts(DirectShape shape, QueryRunOptions options, ExecutionMode mode) =>
        shape.Kind != DirectShapeKind.General && mode is ExecutionMode.Count or ExecutionMode.Evaluate && options.DegreeOfParallelism == 1 && options.Workers is null;

    /// <summary>How explain names the path of <paramref name="kind"/>.</summary>
    public static string Describe(DirectShapeKind kind) => kind switch
    {
        DirectShapeKind.AndPair => "direct pair: the bitmaps' own and",
        DirectShapeKind.AndNotPair => "direct pair: the bitmaps' own and-not",
        DirectShapeKind.OrPair => "direct pair: the bitmaps' own or",
        DirectShapeKind.XorPair => "direct pair: the bitmaps' own xor",
        DirectShapeKind.Intersect => "direct intersect: key leapfrog, smallest container first",
        DirectShapeKind.Union => "direct union: array merge, run-list merge or bitset or per key",
        DirectShapeKind.SymmetricDifference => "direct symmetric difference: containers flipped into one bitset per key",
        _ => "per-key planner",
    };

    /// <summary>True when a given universe end holds every value of <paramref name="inputs"/>.</summary>
    public static bool UniverseHolds(Bitmap[] inputs, long universeEnd)
    {
        foreach (var input in inputs)
        {
            if (!input.IsEmpty && input.Max >= universeEnd)
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>
    /// The answer's count. Pairs go straight to the bitmaps' counting calls: over two small bitmaps this call
    /// and the name lookup before it are all a query adds to the pairwise call.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long Count(DirectShape shape, Bitmap[] inputs) => shape.Kind switch
    {
        DirectShapeKind.AndPair => inputs[shape.Left].AndCount(inputs[shape.Right]),
        DirectShapeKind.AndNotPair => inputs[shape.Left].AndNotCount(inputs[shape.Right]),
        DirectShapeKind.OrPair => inputs[shape.Left].OrCount(inputs[shape.Right]),
        DirectShapeKind.XorPair => inputs[shape.Left].XorCount(inputs[shape.Right]),
        _ => Run(shape, inputs, materialise: false, out _),
    };

    /// <summary>The answer's count, and the answer itself when <paramref name="materialise"/>.</summary>
    public static long Run(DirectShape shape, Bitmap[] inputs, bool materialise, out Bitmap? result)
    {
        var positives = shape.Positives;
        switch (shape.Kind)
        {
            // Pairs call the bitmaps' own operations directly (no delegate per call): this is the whole cost of a
            // query over two small bitmaps beyond resolving its names.
            case DirectShapeKind.AndPair or DirectShapeKind.AndNotPair or DirectShapeKind.OrPair or DirectShapeKind.XorPair:
                if (!materialise)
                {
                    result = null;
                    return Count(shape, inputs);
                }
                result = Pair(shape, inputs);
                return result.Count;
            case DirectShapeKind.Intersect:
                return IntersectExecution.Run(inputs, positives, shape.Negatives, DirectScratch.Current, materialise, out result);
            case DirectShapeKind.Union:
                return UnionExecution.Run(inputs, positives, DirectScratch.Current, materialise, out result);
            case DirectShapeKind.SymmetricDifference:
                return SymmetricDifferenceExecution.Run(inputs, positives, DirectScratch.Current, materialise, out result);
            default:
                throw new InvalidOperationException($"{shape.Kind} does not run directly");
        }
    }

    // The answer of a pair form, as a new bitmap.
    private static Bitmap Pair(DirectShape shape, Bitmap[] inputs)
    {
        var a = inputs[shape.Left];
        var b = inputs[shape.Right];
        return shape.Kind switch
        {
            DirectShapeKind.AndPair => a.And(b),
            DirectShapeKind.AndNotPair => a.AndNot(b),
            DirectShapeKind.OrPair => a.Or(b),
            _ => a.Xor(b),
        };
    }
}
