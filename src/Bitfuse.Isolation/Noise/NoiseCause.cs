namespace Bitfuse.Isolation.Noise;

/// <summary>One cause of a CPU's noise: the gaps given to it, their total and spread, and what removes it.</summary>
public sealed record NoiseCause
{
    /// <summary>What kind of interruption.</summary>
    public required NoiseCauseKind Kind { get; init; }

    /// <summary>Which one (<c>IRQ 36 virtio1-req.0</c>, <c>softirq TIMER</c>, <c>kworker/1:1 (44)</c>, <c>GC</c>).</summary>
    public required string Name { get; init; }

    /// <summary>Gaps given to this cause.</summary>
    public required long Gaps { get; init; }

    /// <summary>Their total length in ns.</summary>
    public required double TotalNs { get; init; }

    /// <summary>Their share of the noise time of the attributed gaps, %.</summary>
    public required double SharePercent { get; init; }

    /// <summary>Median gap in ns (exact).</summary>
    public required double P50Ns { get; init; }

    /// <summary>99th-percentile gap in ns (exact, nearest rank).</summary>
    public required double P99Ns { get; init; }

    /// <summary>Longest gap in ns.</summary>
    public required double MaxNs { get; init; }

    /// <summary>Work functions, timer functions, GC reasons seen with this cause (at most a few).</summary>
    public required IReadOnlyList<string> Details { get; init; }

    /// <summary>What removes it.</summary>
    public required string Advice { get; init; }

    /// <summary>The isolation audit's checks that cover it (<c>irq.affinity</c>, <c>boot.nohz_full</c>).</summary>
    public required IReadOnlyList<string> AuditChecks { get; init; }

    /// <summary>Per cause, the gaps of <paramref name="gapsNs"/> given to it by <paramref name="causes"/>, largest total first.</summary>
    public static IReadOnlyList<NoiseCause> Summarize(IReadOnlyList<double> gapsNs, IReadOnlyList<GapCause> causes)
    {
        ArgumentNullException.ThrowIfNull(gapsNs);
        ArgumentNullException.ThrowIfNull(causes);
        if (gapsNs.Count != causes.Count)
        {
            throw new ArgumentException($"{gapsNs.Count} gaps but {causes.Count} causes", nameof(causes));
        }
        var groups = new Dictionary<(NoiseCauseKind, string), (List<double> Gaps, SortedSet<string> Details)>();
        double total = 0;
        for (var i = 0; i < gapsNs.Count; i++)
        {
            var key = (causes[i].Kind, causes[i].Name);
            if (!groups.TryGetValue(key, out var group))
            {
                groups[key] = group = ([], new SortedSet<string>(StringComparer.Ordinal));
            }
            group.Gaps.Add(gapsNs[i]);
            if (causes[i].Detail is { } detail)
            {
                group.Details.Add(detail);
            }
            total += gapsNs[i];
        }
        var result = new List<NoiseCause>();
        foreach (var ((kind, name), (gaps, details)) in groups)
        {
            gaps.Sort();
            double sum = 0;
            foreach (var g in gaps)
            {
                sum += g;
            }
            var advice = NoiseAdvice.For(kind, name);
            result.Add(new NoiseCause
            {
                Kind = kind,
                Name = name,
                Gaps = gaps.Count,
                TotalNs = sum,
                SharePercent = total == 0 ? 0 : 100 * sum / total,
                P50Ns = NearestRank(gaps, 0.5),
                P99Ns = NearestRank(gaps, 0.99),
                MaxNs = gaps[^1],
                Details = details.Take(4).ToList(),
                Advice = advice.Text,
                AuditChecks = advice.AuditChecks,
            });
        }
        result.Sort((a, b) => b.TotalNs.CompareTo(a.TotalNs));
        return result;
    }

    private static double NearestRank(List<double> sorted, double q) => sorted[Math.Clamp((int)Math.Ceiling(q * sorted.Count) - 1, 0, sorted.Count - 1)];
}
