using System.Numerics;
using System.Runtime.CompilerServices;

namespace Bitfuse.Isolation.Noise;

/// <summary>
/// A log-linear histogram of non-negative 64-bit values with a fixed, preallocated bucket array, so
/// <see cref="Record"/> never allocates. Values below 2^<see cref="SubBucketBits"/> have a bucket each;
/// above, every power of two is split into 2^<see cref="SubBucketBits"/> equal buckets, so a bucket's
/// width is at most 1/16 of its lower bound (relative error ≤ 6.25 %).
/// Invariant: <c>Total == sum of counts</c> and every value v lands in the bucket with
/// <c>LowerBound(i) ≤ v ≤ UpperBound(i)</c>.
/// </summary>
public sealed class LogLinearHistogram
{
    /// <summary>log2 of the number of buckets per power of two.</summary>
    public const int SubBucketBits = 4;

    private const int SubBuckets = 1 << SubBucketBits;

    /// <summary>The number of buckets (covering every ulong).</summary>
    public const int BucketCount = (64 - SubBucketBits + 1) * SubBuckets;

    private readonly long[] _counts = new long[BucketCount];

    /// <summary>The bucket counts, indexed by <see cref="IndexOf"/>.</summary>
    public ReadOnlySpan<long> Counts => _counts;

    /// <summary>The raw counts array, for the measurement loop only.</summary>
    internal long[] CountArray => _counts;

    /// <summary>How many values were recorded.</summary>
    public long Total
    {
        get
        {
            long total = 0;
            foreach (var count in _counts)
            {
                total += count;
            }
            return total;
        }
    }

    /// <summary>The bucket of <paramref name="value"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int IndexOf(ulong value)
    {
        if (value < SubBuckets)
        {
            return (int)value;
        }
        var shift = BitOperations.Log2(value) - SubBucketBits;
        return ((shift + 1) << SubBucketBits) + (int)((value >> shift) - SubBuckets);
    }

    /// <summary>The smallest value of bucket <paramref name="index"/>.</summary>
    public static ulong LowerBound(int index)
    {
        if (index < SubBuckets)
        {
            return (ulong)index;
        }
        var shift = (index >> SubBucketBits) - 1;
        return (ulong)((index & (SubBuckets - 1)) + SubBuckets) << shift;
    }

    /// <summary>The largest value of bucket <paramref name="index"/>.</summary>
    public static ulong UpperBound(int index)
    {
        if (index < SubBuckets)
        {
            return (ulong)index;
        }
        var shift = (index >> SubBucketBits) - 1;
        return LowerBound(index) + ((1UL << shift) - 1);
    }

    /// <summary>Counts one value.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Record(ulong value) => _counts[IndexOf(value)]++;

    /// <summary>Forgets every value.</summary>
    public void Clear() => Array.Clear(_counts);

    /// <summary>
    /// The value at quantile <paramref name="q"/> (0..1], nearest rank: the upper bound of the bucket holding
    /// the ⌈q·Total⌉-th smallest value, so it is never below the exact answer. 0 when empty.
    /// </summary>
    public ulong ValueAtQuantile(double q)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(q, 0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(q, 1);
        var total = Total;
        if (total == 0)
        {
            return 0;
        }
        var rank = Math.Max(1, (long)Math.Ceiling(q * total));
        long seen = 0;
        for (var i = 0; i < BucketCount; i++)
        {
            seen += _counts[i];
            if (seen >= rank)
            {
                return UpperBound(i);
            }
        }
        return UpperBound(BucketCount - 1);
    }

    /// <summary>The index of the highest non-empty bucket, or -1.</summary>
    public int HighestIndex()
    {
        for (var i = BucketCount - 1; i >= 0; i--)
        {
            if (_counts[i] != 0)
            {
                return i;
            }
        }
        return -1;
    }
}
