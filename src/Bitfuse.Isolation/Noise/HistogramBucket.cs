namespace Bitfuse.Isolation.Noise;

/// <summary>One non-empty histogram bucket: gaps from <paramref name="LowerNs"/> to <paramref name="UpperNs"/>.</summary>
public sealed record HistogramBucket(double LowerNs, double UpperNs, long Count);
