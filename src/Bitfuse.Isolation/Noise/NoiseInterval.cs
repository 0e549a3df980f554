namespace Bitfuse.Isolation.Noise;

/// <summary>One interval of a CPU's run: the noise it saw and what the kernel counted meanwhile.</summary>
public sealed record NoiseInterval(double StartSeconds, double EndSeconds, long Gaps, double NoiseNs, NoiseAttribution Attribution);
