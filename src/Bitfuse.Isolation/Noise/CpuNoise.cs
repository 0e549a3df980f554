namespace Bitfuse.Isolation.Noise;

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

    /// <summary>The causes of the kept gaps (<see cref="Events"/>), largest total first; empty when attribution did not run.</summary>
    public IReadOnlyList<NoiseCause> Causes { get; init; } = [];

    /// <summary>The share of the kept gaps' time given to a named cause (not unexplained), %; null when attribution did not run.</summary>
    public double? AttributedPercent { get; init; }

    /// <summary>Tracepoints recorded on this CPU during the run.</summary>
    public long TraceEvents { get; init; }

    /// <summary>Tracepoints the kernel dropped on this CPU (buffer overrun); gaps before the oldest kept event may show as unexplained.</summary>
    public long TraceEventsLost { get; init; }
}
