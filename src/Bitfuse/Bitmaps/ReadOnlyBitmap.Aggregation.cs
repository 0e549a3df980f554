using System.Buffers;

namespace Bitfuse;

/// <summary>
/// Aggregation over read-only bitmaps: the same one-pass multi-way code as <see cref="Bitmap.OrMany(ReadOnlySpan{Bitmap})"/>
/// and its siblings, reading the wrapped bitmaps in place. The result is a new, owned, mutable bitmap.
/// </summary>
public sealed partial class ReadOnlyBitmap
{
    /// <summary>A new bitmap: the values in any of <paramref name="bitmaps"/>.</summary>
    public static Bitmap OrMany(params ReadOnlySpan<ReadOnlyBitmap> bitmaps) => Materialise(bitmaps, static inner => Bitmap.OrMany(inner));

    /// <summary>A new bitmap: the values in every one of <paramref name="bitmaps"/> (empty over no input).</summary>
    public static Bitmap AndMany(params ReadOnlySpan<ReadOnlyBitmap> bitmaps) => Materialise(bitmaps, static inner => Bitmap.AndMany(inner));

    /// <summary>A new bitmap: the values in an odd number of <paramref name="bitmaps"/>.</summary>
    public static Bitmap XorMany(params ReadOnlySpan<ReadOnlyBitmap> bitmaps) => Materialise(bitmaps, static inner => Bitmap.XorMany(inner));

    /// <summary>How many values <see cref="OrMany(ReadOnlySpan{ReadOnlyBitmap})"/> would hold, without building it.</summary>
    public static long OrManyCount(params ReadOnlySpan<ReadOnlyBitmap> bitmaps) => CountOf(bitmaps, static inner => Bitmap.OrManyCount(inner));

    /// <summary>How many values <see cref="AndMany(ReadOnlySpan{ReadOnlyBitmap})"/> would hold, without building it.</summary>
    public static long AndManyCount(params ReadOnlySpan<ReadOnlyBitmap> bitmaps) => CountOf(bitmaps, static inner => Bitmap.AndManyCount(inner));

    /// <summary>How many values <see cref="XorMany(ReadOnlySpan{ReadOnlyBitmap})"/> would hold, without building it.</summary>
    public static long XorManyCount(params ReadOnlySpan<ReadOnlyBitmap> bitmaps) => CountOf(bitmaps, static inner => Bitmap.XorManyCount(inner));

    private delegate T InnerAggregation<T>(ReadOnlySpan<Bitmap> inner);

    private static Bitmap Materialise(ReadOnlySpan<ReadOnlyBitmap> bitmaps, InnerAggregation<Bitmap> aggregate) => WithInner(bitmaps, aggregate);

    private static long CountOf(ReadOnlySpan<ReadOnlyBitmap> bitmaps, InnerAggregation<long> aggregate) => WithInner(bitmaps, aggregate);

    // Unwraps into a rented array (cleared before it goes back, so the pool keeps no bitmap alive) and runs the
    // Bitmap aggregation over it: one implementation of each aggregation.
    private static T WithInner<T>(ReadOnlySpan<ReadOnlyBitmap> bitmaps, InnerAggregation<T> aggregate)
    {
        var inner = ArrayPool<Bitmap>.Shared.Rent(bitmaps.Length);
        try
        {
            for (var i = 0; i < bitmaps.Length; i++)
            {
                inner[i] = Unwrap(bitmaps[i]);
            }
            return aggregate(inner.AsSpan(0, bitmaps.Length));
        }
        finally
        {
            Array.Clear(inner, 0, bitmaps.Length);
            ArrayPool<Bitmap>.Shared.Return(inner);
        }
    }
}
