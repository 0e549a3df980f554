namespace Bitfuse.Isolation.Noise;

/// <summary>What a noise run measures and how.</summary>
/// <param name="Cpus">The CPUs to measure, one spinning thread each.</param>
public sealed record NoiseOptions(CpuSet Cpus)
{
    /// <summary>How long the measurement runs (after the warm-up).</summary>
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Gaps longer than this count as noise; null chooses automatically (<see cref="NoiseMeter.AutoThresholdFactor"/> times the median loop period).</summary>
    public TimeSpan? Threshold { get; init; } = TimeSpan.FromMicroseconds(1);

    /// <summary>How often attribution counters are sampled.</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The warm-up spin before measuring (also measures the loop period for an automatic threshold).</summary>
    public TimeSpan Warmup { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>How many gap events each CPU keeps (the newest; older ones are counted as dropped).</summary>
    public int EventCapacity { get; init; } = 1 << 16;

    /// <summary>The clock to read: rdtsc when possible, or Stopwatch.</summary>
    public ClockKind Clock { get; init; } = ClockKind.Rdtsc;

    /// <summary>Move this process's other threads off the measured CPUs during the run (and back after).</summary>
    public bool MoveRuntimeThreads { get; init; } = true;

    /// <summary>A SCHED_FIFO priority for the spinning threads (refused and reported when RLIMIT_RTPRIO forbids it), or null.</summary>
    public int? FifoPriority { get; init; }

    /// <summary>Lock the process's memory (<c>mlockall</c>) before measuring; refused and reported when the memlock limit is too low.</summary>
    public bool LockMemory { get; init; }

    /// <summary>
    /// Name the cause of each gap: the kernel's tracepoints of the measured CPUs (root and tracefs) and the
    /// runtime's events of this process. When either is unavailable the run says why and goes on.
    /// </summary>
    public bool Attribute { get; init; } = true;

    /// <summary>Where tracefs (<c>sys/kernel/tracing</c>) and the undo records (<c>run/bitfuse</c>) are looked for; the live machine by default.</summary>
    public SystemRoot TraceRoot { get; init; } = SystemRoot.Live;

    /// <summary>Include the isolation audit of the measured CPUs in the report.</summary>
    public bool IncludeAudit { get; init; } = true;
}
