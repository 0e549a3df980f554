namespace Bitfuse;

/// <summary>
/// Aggregation over many sets at once: the high halves of all inputs are merged, and each high half's buckets go
/// through <see cref="Bitmap.OrMany(ReadOnlySpan{Bitmap})"/> and its kin together, so a bucket costs one multi-way
/// pass whatever the number of inputs. The inputs are only read; the same set may appear more than once.
/// </summary>
public sealed partial class Bitmap64
{
    /// <summary>A new set: the values in any of <paramref name="sets"/>.</summary>
    public static Bitmap64 OrMany(params ReadOnlySpan<Bitmap64> sets) => Aggregate(sets, Aggregation.Or, new Bitmap64());

    /// <summary>A new set: the values in every one of <paramref name="sets"/> (empty over no input).</summary>
    public static Bitmap64 AndMany(params ReadOnlySpan<Bitmap64> sets) => Aggregate(sets, Aggregation.And, new Bitmap64());

    /// <summary>A new set: the values in an odd number of <paramref name="sets"/>.</summary>
    public static Bitmap64 XorMany(params ReadOnlySpan<Bitmap64> sets) => Aggregate(sets, Aggregation.Xor, new Bitmap64());

    /// <summary>The number of values in any of <paramref name="sets"/>, with no result built.</summary>
    public static long OrManyCount(params ReadOnlySpan<Bitmap64> sets) => AggregateCount(sets, Aggregation.Or);

    /// <summary>The number of values in every one of <paramref name="sets"/> (0 over no input), with no result built.</summary>
    public static long AndManyCount(params ReadOnlySpan<Bitmap64> sets) => AggregateCount(sets, Aggregation.And);

    /// <summary>The number of values in an odd number of <paramref name="sets"/>, with no result built.</summary>
    public static long XorManyCount(params ReadOnlySpan<Bitmap64> sets) => AggregateCount(sets, Aggregation.Xor);

    private enum Aggregation
    {
        Or,
        And,
        Xor,
    }

    private static long AggregateCount(ReadOnlySpan<Bitmap64> sets, Aggregation aggregation)
    {
        long count = 0;
        Walk(sets, aggregation, (_, group) => count += aggregation switch
        {
            Aggregation.Or => Bitmap.OrManyCount(group),
            Aggregation.And => Bitmap.AndManyCount(group),
            _ => Bitmap.XorManyCount(group),
        });
        return count;
    }

    private static Bitmap64 Aggregate(ReadOnlySpan<Bitmap64> sets, Aggregation aggregation, Bitmap64 result)
    {
        try
        {
            Walk(sets, aggregation, (high, group) =>
            {
                var bucket = aggregation switch
                {
                    Aggregation.Or => Bitmap.OrMany(group),
                    Aggregation.And => Bitmap.AndMany(group),
                    _ => Bitmap.XorMany(group),
                };
                if (bucket.IsEmpty)
                {
                    bucket.Dispose();
                    return;
                }
                result.Append(high, bucket);
            });
            return result;
        }
        catch
        {
            result.Dispose();
            throw;
        }
    }

    // Calls combine with each high half (ascending) and the buckets the inputs hold there; an AND skips a high half
    // that any input lacks.
    private static void Walk(ReadOnlySpan<Bitmap64> sets, Aggregation aggregation, Action<uint, ReadOnlySpan<Bitmap>> combine)
    {
        foreach (var set in sets)
        {
            ArgumentNullException.ThrowIfNull(set, nameof(sets));
            set.ThrowIfDisposed();
        }
        var cursors = new int[sets.Length];
        var group = new Bitmap[sets.Length];
        while (true)
        {
            var high = long.MaxValue;
            for (var s = 0; s < sets.Length; s++)
            {
                if (cursors[s] < sets[s]._size)
                {
                    high = Math.Min(high, sets[s]._highs[cursors[s]]);
                }
            }
            if (high == long.MaxValue)
            {
                return;
            }
            var n = 0;
            for (var s = 0; s < sets.Length; s++)
            {
                var at = cursors[s];
                if (at < sets[s]._size && sets[s]._highs[at] == high)
                {
                    group[n++] = sets[s]._buckets[at];
                    cursors[s] = at + 1;
                }
            }
            if (aggregation != Aggregation.And || n == sets.Length)
            {
                combine((uint)high, group.AsSpan(0, n));
            }
        }
    }
}
