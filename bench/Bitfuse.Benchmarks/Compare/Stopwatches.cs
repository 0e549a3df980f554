using System.Diagnostics;

namespace Bitfuse.Benchmarks.Compare;

/// <summary>Timestamp arithmetic shared by the runner and suites that time their own loops.</summary>
public static class Stopwatches
{
    private static readonly double NsPerTick = 1e9 / Stopwatch.Frequency;

    /// <summary>Nanoseconds between two <see cref="Stopwatch.GetTimestamp"/> values.</summary>
    public static double ElapsedNs(long start, long end) => (end - start) * NsPerTick;

    /// <summary>Nanoseconds since <paramref name="start"/>.</summary>
    public static double ElapsedNs(long start) => ElapsedNs(start, Stopwatch.GetTimestamp());

    /// <summary>The median of <paramref name="values"/> (sorts a copy).</summary>
    public static double Median(IReadOnlyList<double> values)
    {
        if (values.Count == 0)
        {
            return 0;
        }
        var sorted = values.ToArray();
        Array.Sort(sorted);
        var mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    /// <summary>The value at quantile <paramref name="q"/> (0..1) of <paramref name="values"/>, nearest rank.</summary>
    public static double Percentile(IReadOnlyList<double> values, double q)
    {
        if (values.Count == 0)
        {
            return 0;
        }
        var sorted = values.ToArray();
        Array.Sort(sorted);
        var rank = (int)Math.Ceiling(q * sorted.Length) - 1;
        return sorted[Math.Clamp(rank, 0, sorted.Length - 1)];
    }
}
