namespace Bitfuse.Benchmarks.Suites;

/// <summary>
/// Latencies in 10 ns buckets up to 1 ms (plus an overflow bucket), for percentiles of millions of
/// samples without storing them. Not thread-safe: one per thread, merged afterwards.
/// </summary>
public sealed class StorageLatencyHistogram
{
    private const double BucketNs = 10;
    private readonly long[] _counts = new long[100_001];

    /// <summary>Samples recorded.</summary>
    public long Count { get; private set; }

    /// <summary>Records one latency.</summary>
    public void Record(double ns)
    {
        var bucket = (int)Math.Min(ns / BucketNs, _counts.Length - 1);
        _counts[Math.Max(bucket, 0)]++;
        Count++;
    }

    /// <summary>Adds every sample of <paramref name="other"/>.</summary>
    public void Add(StorageLatencyHistogram other)
    {
        for (var i = 0; i < _counts.Length; i++)
        {
            _counts[i] += other._counts[i];
        }
        Count += other.Count;
    }

    /// <summary>The latency at quantile <paramref name="q"/> (0..1), to the bucket's upper edge; 1 ms and more read as 1 ms.</summary>
    public double Percentile(double q)
    {
        if (Count == 0)
        {
            return 0;
        }
        var rank = (long)Math.Ceiling(q * Count);
        long seen = 0;
        for (var i = 0; i < _counts.Length; i++)
        {
            seen += _counts[i];
            if (seen >= rank)
            {
                return (i + 1) * BucketNs;
            }
        }
        return _counts.Length * BucketNs;
    }
}
