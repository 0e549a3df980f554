using System.Text.Json.Serialization;

namespace Bitfuse.Benchmarks.Compare;

/// <summary>
/// One row of <c>compare</c> output. The JSON names are a contract outside checks rely on:
/// <c>ratio = baseline_ns / subject_ns</c>, above 1 means Bitfuse is faster (or smaller, for byte cases).
/// </summary>
public sealed record CompareResult
{
    [JsonPropertyName("suite")] public required string Suite { get; init; }
    [JsonPropertyName("case")] public required string Case { get; init; }
    [JsonPropertyName("subject")] public string Subject { get; init; } = "bitfuse";
    [JsonPropertyName("baseline")] public required string Baseline { get; init; }
    [JsonPropertyName("subject_ns")] public required double SubjectNs { get; init; }
    [JsonPropertyName("baseline_ns")] public required double BaselineNs { get; init; }
    [JsonPropertyName("ratio")] public required double Ratio { get; init; }

    /// <summary>What the two numbers measure: "ns" (per operation) unless a case says otherwise ("bytes").</summary>
    [JsonPropertyName("unit")] public string Unit { get; init; } = "ns";

    /// <summary>Rounds measured per side.</summary>
    [JsonPropertyName("rounds")] public int Rounds { get; init; }

    /// <summary>Extra facts: throughput, bytes, counts, percentiles.</summary>
    [JsonPropertyName("extra")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyDictionary<string, double>? Extra { get; init; }

    /// <summary>A short free-text note (what the baseline is, a caveat).</summary>
    [JsonPropertyName("note")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Note { get; init; }

    /// <summary>Builds a row from two measured values, computing the ratio as baseline / subject.</summary>
    public static CompareResult Of(string suite, string caseName, string baseline, double subject, double baselineValue,
        string unit = "ns", int rounds = 0, IReadOnlyDictionary<string, double>? extra = null, string? note = null) => new()
        {
            Suite = suite,
            Case = caseName,
            Baseline = baseline,
            SubjectNs = subject,
            BaselineNs = baselineValue,
            Ratio = subject > 0 ? baselineValue / subject : 0,
            Unit = unit,
            Rounds = rounds,
            Extra = extra,
            Note = note,
        };
}
