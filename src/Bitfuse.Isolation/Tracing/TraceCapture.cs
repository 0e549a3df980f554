namespace Bitfuse.Isolation.Tracing;

/// <summary>The events read from a trace, the events the kernel reported lost, and the clock's units.</summary>
/// <param name="Events">The events in the order read (per CPU: time order).</param>
/// <param name="Lost">Events the trace says it lost (<c>[LOST n EVENTS]</c>, or the buffer's overrun count).</param>
/// <param name="CounterClock">True when timestamps are raw counter ticks; false when they are nanoseconds.</param>
public sealed record TraceCapture(IReadOnlyList<TraceEvent> Events, long Lost, bool CounterClock);
