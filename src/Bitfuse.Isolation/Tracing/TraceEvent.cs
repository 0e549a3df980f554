namespace Bitfuse.Isolation.Tracing;

/// <summary>
/// One tracepoint hit on one CPU. <paramref name="Timestamp"/> is in the trace clock's units: counter ticks
/// for a counter clock (<c>x86-tsc</c>), nanoseconds for a time clock (<c>mono</c>, printed in µs).
/// </summary>
/// <param name="Timestamp">When, in the trace clock's units.</param>
/// <param name="Cpu">The CPU it happened on.</param>
/// <param name="Pid">The task running when it happened (for a switch: the one leaving).</param>
/// <param name="Kind">Which tracepoint.</param>
/// <param name="Name">The IRQ name, softirq action, vector, work function, timer function, or the next task of a switch.</param>
/// <param name="Number">The IRQ number or softirq vector, else -1.</param>
/// <param name="NextPid">The task a switch runs next, else -1.</param>
/// <param name="PrevState">The state the leaving task of a switch is in (R, R+, S, D ...), else empty.</param>
/// <param name="Comm">The name of the task running when it happened.</param>
public sealed record TraceEvent(ulong Timestamp, int Cpu, int Pid, TraceEventKind Kind, string Name, int Number = -1, int NextPid = -1, string PrevState = "", string Comm = "")
{
    /// <summary>True when the leaving task of a switch could still run (it was preempted rather than blocked).</summary>
    public bool Preempted => PrevState.StartsWith('R');
}
