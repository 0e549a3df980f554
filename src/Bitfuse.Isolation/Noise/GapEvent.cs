namespace Bitfuse.Isolation.Noise;

/// <summary>One gap over the threshold: when it started (ns after the run started), how long it was, and its cause (null when attribution did not run).</summary>
public sealed record GapEvent(double OffsetNs, double GapNs, GapCause? Cause = null);
