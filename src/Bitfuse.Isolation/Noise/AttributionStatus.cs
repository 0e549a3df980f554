using Bitfuse.Isolation.Pinning;

namespace Bitfuse.Isolation.Noise;

/// <summary>How a run's gaps were attributed: whether the kernel and the runtime were recorded, why not, and what was changed on the machine to record them (and put back).</summary>
public sealed record AttributionStatus
{
    /// <summary>True when the kernel's tracepoints of the measured CPUs were recorded.</summary>
    public required bool KernelTraced { get; init; }

    /// <summary>Why the kernel was not traced, or null.</summary>
    public string? KernelUnavailable { get; init; }

    /// <summary>The trace clock (<c>x86-tsc</c> matches rdtsc, <c>mono</c> matches Stopwatch), or null.</summary>
    public string? TraceClock { get; init; }

    /// <summary>The tracepoints enabled (<c>irq:irq_handler_entry</c> ...).</summary>
    public IReadOnlyList<string> TraceEvents { get; init; } = [];

    /// <summary>True when the runtime's events (GC suspensions, JIT, thread pool) were recorded.</summary>
    public required bool RuntimeRecorded { get; init; }

    /// <summary>How many runtime events were recorded.</summary>
    public long RuntimeEvents { get; init; }

    /// <summary>How far (ns) an event may lie outside a gap and still be matched to it: the clocks' disagreement.</summary>
    public double ToleranceNs { get; init; }

    /// <summary>The machine-wide changes made to trace (a tracefs mount, an instance).</summary>
    public IReadOnlyList<PreparationStep> Changes { get; init; } = [];

    /// <summary>Putting them back.</summary>
    public IReadOnlyList<PreparationStep> Restored { get; init; } = [];

    /// <summary>Changes left by earlier runs that ended without cleaning up (killed), put back at the start of this one.</summary>
    public IReadOnlyList<PreparationStep> StaleRestored { get; init; } = [];
}
