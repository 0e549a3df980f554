namespace Bitfuse.Isolation.Noise;

/// <summary>The clock: kind, why, and its rate.</summary>
public sealed record ClockFacts(ClockKind Kind, string Reason, double TicksPerSecond, string CalibratedAgainst);
