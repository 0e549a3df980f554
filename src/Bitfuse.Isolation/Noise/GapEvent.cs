namespace Bitfuse.Isolation.Noise;

/// <summary>One gap over the threshold: when it started (ns after the run started) and how long it was.</summary>
public sealed record GapEvent(double OffsetNs, double GapNs);
