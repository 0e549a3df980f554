using Bitfuse.Bitmaps.MultiWay;

namespace Bitfuse;

/// <summary>
/// Aggregation over many bitmaps at once: one pass over all their keys instead of a chain of pairwise
/// operations, each building an intermediate bitmap. Two inputs take the pairwise operation; three or more
/// run the multi-way code the query engine runs for the same shapes (<see cref="UnionExecution"/>,
/// <see cref="IntersectExecution"/>, <see cref="SymmetricDifferenceExecution"/>). The inputs are only read; the
/// same bitmap may appear more than once. Over no input each answer is empty.
/// </summary>
public sealed partial class Bitmap
{
    /// <summary>A new bitmap: the values in any of <paramref name="bitmaps"/>.</summary>
    public static Bitmap OrMany(params ReadOnlySpan<Bitmap> bitmaps) => Aggregate(bitmaps, Aggregation.Or);

    /// <summary>A new bitmap: the values in every one of <paramref name="bitmaps"/> (empty over no input).</summary>
    public static Bitmap AndMany(params ReadOnlySpan<Bitmap> bitmaps) => Aggregate(bitmaps, Aggregation.And);

    /// <summary>A new bitmap: the values in an odd number of <paramref name="bitmaps"/>.</summary>
    public static Bitmap XorMany(params ReadOnlySpan<Bitmap> bitmaps) => Aggregate(bitmaps, Aggregation.Xor);

    /// <summary>The number of values in any of <paramref name="bitmaps"/>, with no result built.</summary>
    public static long OrManyCount(params ReadOnlySpan<Bitmap> bitmaps) => AggregateCount(bitmaps, Aggregation.Or);

    /// <summary>The number of values in every one of <paramref name="bitmaps"/> (0 over no input), with no result built.</summary>
    public static long AndManyCount(params ReadOnlySpan<Bitmap> bitmaps) => AggregateCount(bitmaps, Aggregation.And);

    /// <summary>The number of values in an odd number of <paramref name="bitmaps"/>, with no result built.</summary>
    public static long XorManyCount(params ReadOnlySpan<Bitmap> bitmaps) => AggregateCount(bitmaps, Aggregation.Xor);

    /// <summary>A new bitmap: the values in any of <paramref name="bitmaps"/>.</summary>
    public static Bitmap OrMany(IEnumerable<Bitmap> bitmaps) => OrMany(Gather(bitmaps));

    /// <summary>A new bitmap: the values in every one of <paramref name="bitmaps"/> (empty over no input).</summary>
    public static Bitmap AndMany(IEnumerable<Bitmap> bitmaps) => AndMany(Gather(bitmaps));

    /// <summary>A new bitmap: the values in an odd number of <paramref name="bitmaps"/>.</summary>
    public static Bitmap XorMany(IEnumerable<Bitmap> bitmaps) => XorMany(Gather(bitmaps));

    /// <summary>The number of values in any of <paramref name="bitmaps"/>, with no result built.</summary>
    public static long OrManyCount(IEnumerable<Bitmap> bitmaps) => OrManyCount(Gather(bitmaps));

    /// <summary>The number of values in every one of <paramref name="bitmaps"/> (0 over no input), with no result built.</summary>
    public static long AndManyCount(IEnumerable<Bitmap> bitmaps) => AndManyCount(Gather(bitmaps));

    /// <summary>The number of values in an odd number of <paramref name="bitmaps"/>, with no result built.</summary>
    public static long XorManyCount(IEnumerable<Bitmap> bitmaps) => XorManyCount(Gather(bitmaps));

    private enum Aggregation
    {
        Or,
        And,
        Xor,
    }

    private static Bitmap Aggregate(ReadOnlySpan<Bitmap> bitmaps, Aggregation aggregation)
    {
        Run(bitmaps, aggregation, materialise: true, out var result);
        return result!;
    }

    private static long AggregateCount(ReadOnlySpan<Bitmap> bitmaps, Aggregation aggregation) =>
        Run(bitmaps, aggregation, materialise: false, out _);

    // The one dispatch of every aggregation: checks the inputs, answers zero and one input directly, two through
    // the pairwise operation, more through the multi-way code.
    private static long Run(ReadOnlySpan<Bitmap> bitmaps, Aggregation aggregation, bool materialise, out Bitmap? result)
    {
        foreach (var bitmap in bitmaps)
        {
            ArgumentNullException.ThrowIfNull(bitmap, nameof(bitmaps));
            bitmap.ThrowIfDisposed();
        }
        result = null;
        switch (bitmaps.Length)
        {
            case 0:
                result = materialise ? new Bitmap() : null;
                return 0;
            case 1:
                result = materialise ? bitmaps[0].Clone() : null;
                return bitmaps[0]._count;
            case 2:
                return Pair(bitmaps[0], bitmaps[1], aggregation, materialise, out result);
        }
        var scratch = DirectScratch.Current;
        var positions = scratch.Positions(bitmaps.Length);
        return aggregation switch
        {
            Aggregation.Or => UnionExecution.Run(bitmaps, positions, scratch, materialise, out result),
            Aggregation.And => IntersectExecution.Run(bitmaps, positions, [], scratch, materialise, out result),
            _ => SymmetricDifferenceExecution.Run(bitmaps, positions, scratch, materialise, out result),
        };
    }

    private static long Pair(Bitmap a, Bitmap b, Aggregation aggregation, bool materialise, out Bitmap? result)
    {
        if (materialise)
        {
            result = aggregation switch
            {
                Aggregation.Or => a.Or(b),
                Aggregation.And => a.And(b),
                _ => a.Xor(b),
            };
            return result._count;
        }
        result = null;
        return aggregation switch
        {
            Aggregation.Or => a.OrCount(b),
            Aggregation.And => a.AndCount(b),
            _ => a.XorCount(b),
        };
    }

    private static Bitmap[] Gather(IEnumerable<Bitmap> bitmaps)
    {
        ArgumentNullException.ThrowIfNull(bitmaps);
        return bitmaps as Bitmap[] ?? [.. bitmaps];
    }
}
