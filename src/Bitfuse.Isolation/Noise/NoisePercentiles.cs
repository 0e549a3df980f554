namespace Bitfuse.Isolation.Noise;

/// <summary>Percentiles of the loop gaps in ns (bucket upper bounds, so never below the exact value).</summary>
public sealed record NoisePercentiles(double P50, double P99, double P999, double P9999);
