using System.Text.Json;
using Bitfuse.Isolation;
using Bitfuse.Isolation.Noise;
using Json.Schema;

namespace Bitfuse.Isolation.Tests;

[Collection(MachineCollection.Name)]
public sealed class NoiseMeterTests
{
    /// <summary>The schema, built once: the library's registry refuses a second schema with the same id.</summary>
    private static readonly Lazy<JsonSchema> Schema = new(() => JsonSchema.FromText(NoiseReportJson.Schema));

    [Theory]
    [InlineData(ClockKind.Rdtsc)]
    [InlineData(ClockKind.Stopwatch)]
    public void Short_run_counts_every_sample_and_writes_schema_valid_json(ClockKind kind)
    {
        var cpu = MachineCollection.TestCpu;
        var report = NoiseMeter.Run(new NoiseOptions(CpuSet.Of(cpu)) { Duration = TimeSpan.FromMilliseconds(300), Clock = kind, Interval = TimeSpan.FromMilliseconds(100) });

        var result = Assert.Single(report.Cpus);
        Assert.Equal(cpu, result.Cpu);
        Assert.True(result.Pinned);
        Assert.True(result.Samples > 1000, $"only {result.Samples} samples");
        Assert.Equal(result.Samples, result.Histogram.Sum(b => b.Count));
        Assert.InRange(result.LoopPeriodNs, 1, 10_000);
        Assert.Equal(result.Gaps, result.Events.Count + result.EventsDropped);
        Assert.All(result.Events, e => Assert.True(e.GapNs > report.ThresholdNs));
        Assert.True(result.Percentiles.P50 <= result.Percentiles.P99 && result.Percentiles.P99 <= result.Percentiles.P999
            && result.Percentiles.P999 <= result.Percentiles.P9999 && result.Percentiles.P9999 <= result.MaxNs);
        Assert.Equal(result.Gaps, result.Intervals.Sum(i => i.Gaps));
        Assert.InRange(result.PercentLost, 0, 100);
        Assert.Equal(1000, report.ThresholdNs);
        Assert.Equal(kind, report.Clock.Kind);
        Assert.NotNull(report.Audit);
        Assert.Contains(report.Preparation, s => s.Done && s.Action.Contains($"to CPU {cpu}", StringComparison.Ordinal));

        var json = NoiseReportJson.Serialize(report);
        using var document = JsonDocument.Parse(json);
        var evaluation = Schema.Value.Evaluate(document.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
        Assert.True(evaluation.IsValid, string.Join("\n", (evaluation.Details ?? []).Where(d => d.Errors is not null)
            .Select(d => $"{d.InstanceLocation}: {string.Join("; ", d.Errors!.Values)}")));
        Assert.Equal(NoiseReport.CurrentSchemaVersion, document.RootElement.GetProperty("schema_version").GetInt32());
    }

    [Fact]
    public void Schema_rejects_a_report_without_cpus()
    {
        using var document = JsonDocument.Parse("""{"schema_version": 2, "cpus": []}""");
        Assert.False(Schema.Value.Evaluate(document.RootElement).IsValid);
    }

    [Fact]
    public void Automatic_threshold_comes_from_the_loop_period()
    {
        var report = NoiseMeter.Run(new NoiseOptions(CpuSet.Of(MachineCollection.TestCpu))
        {
            Duration = TimeSpan.FromMilliseconds(150),
            Threshold = null,
            IncludeAudit = false,
            MoveRuntimeThreads = false,
        });
        Assert.StartsWith("auto", report.ThresholdChosenBy, StringComparison.Ordinal);
        Assert.True(report.ThresholdNs >= NoiseMeter.AutoThresholdFloorNs);
        Assert.Null(report.Audit);
    }

    [Fact]
    public void Limits_turn_a_report_into_violations()
    {
        var report = NoiseMeter.Run(new NoiseOptions(CpuSet.Of(MachineCollection.TestCpu)) { Duration = TimeSpan.FromMilliseconds(100), IncludeAudit = false });
        var cpu = report.Cpus[0];
        Assert.Empty(report.Violations(cpu.MaxNs + 1, 100));
        Assert.Single(report.Violations(cpu.MaxNs / 2, null));
        Assert.Single(report.Violations(null, -1));
    }

    [Fact]
    public void Bad_cpus_are_refused_before_anything_runs()
    {
        var offline = CpuTopology.Read(SystemRoot.Live).Possible.Max + 1;
        var e = Assert.Throws<ArgumentException>(() => NoiseMeter.Run(new NoiseOptions(CpuSet.Of(offline))));
        Assert.Contains($"CPU {offline} is not online", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => NoiseMeter.Run(new NoiseOptions(CpuSet.Empty)));
        Assert.Throws<ArgumentException>(() => NoiseMeter.Run(new NoiseOptions(CpuSet.Of(0)) { Duration = TimeSpan.Zero }));
    }
}
