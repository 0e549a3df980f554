using Bitfuse.Isolation.Audit;
using Bitfuse.Isolation.Pinning;

namespace Bitfuse.Isolation.Noise;

/// <summary>The result of a noise run: versioned, with the host, the clock, each CPU and what the runtime did meanwhile.</summary>
public sealed record NoiseReport
{
    /// <summary>The version of this report's JSON shape (see <see cref="NoiseReportJson.Schema"/>).</summary>
    public const int CurrentSchemaVersion = 2;

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

    /// <summary>How the gaps were attributed to causes, and why not when they were not.</summary>
    public required AttributionStatus Attribution { get; init; }

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
