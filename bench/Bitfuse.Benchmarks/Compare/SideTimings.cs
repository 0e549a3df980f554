namespace Bitfuse.Benchmarks.Compare;

/// <summary>
/// The samples of sides timed together, one per side per round (nanoseconds per operation), and the
/// statistics a row reports: each side's median, p25 and p75, and the ratio as the median of the
/// per-round ratios, so a round in which the machine was busy moves both sides of that ratio together.
/// Indexing gives a side's median.
/// </summary>
public sealed class SideTimings
{
    private readonly double[][] _samples;

    /// <summary>Wraps <paramref name="samples"/>[side][round].</summary>
    public SideTimings(double[][] samples)
    {
        ArgumentOutOfRangeException.ThrowIfZero(samples.Length);
        _samples = samples;
    }

    /// <summary>How many sides were timed.</summary>
    public int Sides => _samples.Length;

    /// <summary>Rounds per side.</summary>
    public int Rounds => _samples[0].Length;

    /// <summary>The median of side <paramref name="side"/>.</summary>
    public double this[int side] => Median(side);

    /// <summary>The median of side <paramref name="side"/>.</summary>
    public double Median(int side) => Stopwatches.Median(_samples[side]);

    /// <summary>The value at quantile <paramref name="q"/> of side <paramref name="side"/>.</summary>
    public double Percentile(int side, double q) => Stopwatches.Percentile(_samples[side], q);

    /// <summary>The per-round ratios <c>baseline / subject</c>.</summary>
    public double[] RoundRatios(int subject, int baseline)
    {
        var ratios = new double[Rounds];
        for (var r = 0; r < ratios.Length; r++)
        {
            var s = _samples[subject][r];
            ratios[r] = s > 0 ? _samples[baseline][r] / s : 0;
        }
        return ratios;
    }

    /// <summary>The side among <paramref name="candidates"/> with the lowest median (a baseline's fastest form).</summary>
    public int Fastest(IReadOnlyList<int> candidates)
    {
        var best = candidates[0];
        for (var i = 1; i < candidates.Count; i++)
        {
            if (Median(candidates[i]) < Median(best))
            {
                best = candidates[i];
            }
        }
        return best;
    }

    /// <summary>
    /// A row for <paramref name="subject"/> against <paramref name="baseline"/>: both medians, the ratio as the median
    /// of the per-round ratios, and the spread (p25/p75 of each side and of the ratio) added to <paramref name="extra"/>.
    /// </summary>
    public CompareResult Row(string suite, string caseName, string baselineName, int subject, int baseline,
        IReadOnlyDictionary<string, double>? extra = null, string? note = null)
    {
        var ratios = RoundRatios(subject, baseline);
        var spread = extra is null ? [] : new Dictionary<string, double>(extra);
        spread["subject_p25_ns"] = Percentile(subject, 0.25);
        spread["subject_p75_ns"] = Percentile(subject, 0.75);
        spread["baseline_p25_ns"] = Percentile(baseline, 0.25);
        spread["baseline_p75_ns"] = Percentile(baseline, 0.75);
        spread["ratio_p25"] = Stopwatches.Percentile(ratios, 0.25);
        spread["ratio_p75"] = Stopwatches.Percentile(ratios, 0.75);
        return CompareResult.Of(suite, caseName, baselineName, Median(subject), Median(baseline), rounds: Rounds, extra: spread, note: note)
            with
        { Ratio = Stopwatches.Median(ratios) };
    }
}
