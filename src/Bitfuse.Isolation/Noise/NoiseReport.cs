using Bitfuse.Isolation.Audit;
using Bitfuse.Isolation.Pinning;

namespace Bitfuse.Isolation.Noise;

/// <summary>The result of a noise run: versioned, with the host, the clock, each CPU and what the runtime did meanwhile.</summary>
public sealed record NoiseReport
{
    /// <summary>The version of this report's JSON shape (see <see cref="NoiseReportJson.Schema"/>).</summary>
    public const int CurrentSchemaVersion = 1;

    /// <summary>The version of the JSON shape.</summary>
    public int SchemaVersion { get; init; } = CurrentSchemaVersion;

    /// <summary>When the measurement started (UTC).</summary>
    public required DateTimeOffset StartedAt { get; init; }

    /// <summary>The measured time in seconds (warm-up excluded).</summary>
    public required double DurationSeconds { get; init; }

    /// <summary>Gaps longer than this many ns are noise.</summary>
    public required double ThresholdNs { get; init; }

    /// <summary>How the threshold was chosen.</summary>
    public required string ThresholdChosenBy { get; init; }

    /// <summary>The clock read by the loop.</summary>
    public required ClockFacts Clock { get; init; }

    /// <summary>The machine.</summary>
    public required HostFacts Host { get; init; }

    /// <summary>One entry per measured CPU.</summary>
    public required IReadOnlyList<CpuNoise> Cpus { get; init; }

    /// <summary>What the .NET runtime did during the run.</summary>
    public required RuntimeActivity Runtime { get; init; }

    /// <summary>What preparing the threads did and refused.</summary>
    public required IReadOnlyList<PreparationStep> Preparation { get; init; }

    /// <summary>The isolation audit of the measured CPUs, when asked for.</summary>
    public AuditReport? Audit { get; init; }

    /// <summary>The limits this run crosses: a gap above <paramref name="maxGapNs"/>, or more than <paramref name="maxNoisePercent"/> % of time lost on a CPU.</summary>
    public IReadOnlyList<string> Violations(double? maxGapNs, double? maxNoisePercent)
    {
        var violations = new List<string>();
        foreach (var cpu in Cpus)
        {
            if (maxGapNs is { } gap && cpu.MaxNs > gap)
            {
                violations.Add($"CPU {cpu.Cpu}: max gap {cpu.MaxNs / 1000:F1} µs is above {gap / 1000:F1} µs");
            }
            if (maxNoisePercent is { } pct && cpu.PercentLost > pct)
            {
                violations.Add($"CPU {cpu.Cpu}: {cpu.PercentLost:F4} % of time lost is above {pct} %");
            }
        }
        return violations;
    }
}

/// <summary>The clock: kind, why, and its rate.</summary>
public sealed record ClockFacts(ClockKind Kind, string Reason, double TicksPerSecond, string CalibratedAgainst);

/// <summary>The machine a report comes from.</summary>
public sealed record HostFacts(string? Kernel, string? CpuModel, int LogicalCpus, string Runtime, bool Hypervisor, string BitfuseVersion);

/// <summary>Percentiles of the loop gaps in ns (bucket upper bounds, so never below the exact value).</summary>
public sealed record NoisePercentiles(double P50, double P99, double P999, double P9999);

/// <summary>One non-empty histogram bucket: gaps from <paramref name="LowerNs"/> to <paramref name="UpperNs"/>.</summary>
public sealed record HistogramBucket(double LowerNs, double UpperNs, long Count);

/// <summary>One gap over the threshold: when it started (ns after the run started) and how long it was.</summary>
public sealed record GapEvent(double OffsetNs, double GapNs);

/// <summary>What the kernel counted on one CPU over a span: interrupts, softirqs, context switches of the spinning thread, steal.</summary>
public sealed record NoiseAttribution(
    IReadOnlyList<InterruptDelta> Interrupts,
    IReadOnlyList<InterruptDelta> Softirqs,
    long VoluntarySwitches,
    long InvoluntarySwitches,
    double StealNs);

/// <summary>One interval of a CPU's run: the noise it saw and what the kernel counted meanwhile.</summary>
public sealed record NoiseInterval(double StartSeconds, double EndSeconds, long Gaps, double NoiseNs, NoiseAttribution Attribution);

/// <summary>What the runtime did during the run: GCs (each one stops every thread), JIT work, and whether a no-GC region held.</summary>
public sealed record RuntimeActivity(int Gen0Collections, int Gen1Collections, int Gen2Collections, double GcPauseMs, long JitCompiledMethods, double JitTimeMs, bool NoGcRegionHeld);

/// <summary>The noise one CPU saw.</summary>
public sealed record CpuNoise
{
    /// <summary>The CPU.</summary>
    public required int Cpu { get; init; }

    /// <summary>True when the spinning thread was pinned to the CPU.</summary>
    public required bool Pinned { get; init; }

    /// <summary>The clock reading (in <see cref="ClockFacts.TicksPerSecond"/> ticks) when this CPU's measurement started; event offsets count from it.</summary>
    public required ulong StartTimestamp { get; init; }

    /// <summary>Loop iterations (= gaps recorded in the histogram).</summary>
    public required long Samples { get; init; }

    /// <summary>Measured time divided by iterations: the loop's resolution.</summary>
    public required double LoopPeriodNs { get; init; }

    /// <summary>Gaps over the threshold.</summary>
    public required long Gaps { get; init; }

    /// <summary>Gaps over the threshold per second.</summary>
    public required double GapsPerSecond { get; init; }

    /// <summary>Time in gaps over the threshold, ns per second.</summary>
    public required double NoiseNsPerSecond { get; init; }

    /// <summary>Time in gaps over the threshold, % of the run.</summary>
    public required double PercentLost { get; init; }

    /// <summary>The longest gap in ns.</summary>
    public required double MaxNs { get; init; }

    /// <summary>Gap percentiles.</summary>
    public required NoisePercentiles Percentiles { get; init; }

    /// <summary>The non-empty histogram buckets, ascending.</summary>
    public required IReadOnlyList<HistogramBucket> Histogram { get; init; }

    /// <summary>The gaps over the threshold that the ring kept, oldest first.</summary>
    public required IReadOnlyList<GapEvent> Events { get; init; }

    /// <summary>Gaps over the threshold that did not fit in the ring.</summary>
    public required long EventsDropped { get; init; }

    /// <summary>What the kernel counted on this CPU over the whole run.</summary>
    public required NoiseAttribution Total { get; init; }

    /// <summary>The run in intervals.</summary>
    public required IReadOnlyList<NoiseInterval> Intervals { get; init; }

    /// <summary>Other threads of this process that were allowed on this CPU during the run.</summary>
    public required IReadOnlyList<string> RuntimeThreadsSharing { get; init; }
}
