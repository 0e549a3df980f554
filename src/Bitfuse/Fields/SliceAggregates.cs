namespace Bitfuse.Fields;

/// <summary>
/// Sum, minimum and maximum of an int field over the columns of a filter, from the slices alone (no value is
/// rebuilt per column). Sum: <c>Σ 2^i · |F ∩ B_i| + minimum · |F ∩ exists|</c>. Minimum and maximum walk the
/// slices from the top (O'Neil and Quass): the candidates start as <c>F ∩ exists</c>; at each bit the maximum
/// keeps the candidates that have it when any do, the minimum those that lack it when any do.
/// </summary>
internal static class SliceAggregates
{
    /// <summary>The sum of the values of the filter's columns that have one (0 when none do).</summary>
    public static Int128 Sum(BitmapSet inputs, string field, IntFieldSchema schema, Bitmap filter)
    {
        var present = filter.AndCount(inputs.Resolve(FieldNames.Exists(field)));
        Int128 sum = (Int128)schema.Minimum * present;
        for (var bit = 0; bit < schema.Depth; bit++)
        {
            sum += (Int128)filter.AndCount(inputs.Resolve(FieldNames.Slice(field, bit))) << bit;
        }
        return sum;
    }

    /// <summary>The largest (or smallest) value among the filter's columns, or null when none has a value.</summary>
    public static long? Extreme(BitmapSet inputs, string field, IntFieldSchema schema, Bitmap filter, bool largest)
    {
        var candidates = filter.And(inputs.Resolve(FieldNames.Exists(field)));
        try
        {
            if (candidates.IsEmpty)
            {
                return null;
            }
            ulong offset = 0;
            for (var bit = schema.Depth - 1; bit >= 0; bit--)
            {
                var slice = inputs.Resolve(FieldNames.Slice(field, bit));
                var kept = largest ? candidates.And(slice) : candidates.AndNot(slice);
                if (kept.IsEmpty)
                {
                    kept.Dispose();
                    offset |= largest ? 0 : 1UL << bit;
                    continue;
                }
                offset |= largest ? 1UL << bit : 0;
                candidates.Dispose();
                candidates = kept;
            }
            return (long)((ulong)schema.Minimum + offset);
        }
        finally
        {
            candidates.Dispose();
        }
    }
}
