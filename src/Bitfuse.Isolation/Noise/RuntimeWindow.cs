namespace Bitfuse.Isolation.Noise;

/// <summary>
/// A span of runtime activity read from the runtime's own events, in the meter's clock ticks.
/// </summary>
/// <param name="Start">First tick.</param>
/// <param name="End">Last tick (equal to <paramref name="Start"/> for a point).</param>
/// <param name="Kind">What the runtime did.</param>
/// <param name="ThreadId">The OS thread the event came from.</param>
/// <param name="Detail">The suspension reason (<c>SuspendForGC</c>), the method compiled, or empty.</param>
/// <param name="IsGc">For a suspension: true when it was for a GC.</param>
public sealed record RuntimeWindow(ulong Start, ulong End, RuntimeWindowKind Kind, int ThreadId, string Detail, bool IsGc = false);
