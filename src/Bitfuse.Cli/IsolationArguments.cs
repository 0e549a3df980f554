using System.Globalization;
using Bitfuse.Isolation;

namespace Bitfuse.Cli;

/// <summary>Parses the arguments of <c>bitfuse isolation</c>: CPU lists, durations, thresholds. Bad input is a one-line <see cref="UserException"/>.</summary>
internal static class IsolationArguments
{
    public static CpuSet? Cpus(string? text)
    {
        if (text is null)
        {
            return null;
        }
        try
        {
            var set = CpuSet.Parse(text);
            return set.IsEmpty ? throw new UserException($"invalid CPU list '{text}': it names no CPU") : set;
        }
        catch (FormatException e)
        {
            throw new UserException(e.Message);
        }
    }

    /// <summary>A duration such as <c>10s</c>, <c>500ms</c>, <c>2m</c>, <c>1us</c>, <c>250ns</c>, <c>1.5s</c> (a bare number is seconds).</summary>
    public static TimeSpan Duration(string text, string what)
    {
        var trimmed = text.Trim();
        var split = 0;
        while (split < trimmed.Length && (char.IsAsciiDigit(trimmed[split]) || trimmed[split] == '.'))
        {
            split++;
        }
        var unit = trimmed[split..].Trim().ToLowerInvariant();
        if (split == 0 || !double.TryParse(trimmed[..split], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value))
        {
            throw new UserException($"invalid {what} '{text}': use a number and a unit (10s, 500ms, 1us)");
        }
        double? ns = unit switch
        {
            "ns" => value,
            "us" or "µs" => value * 1e3,
            "ms" => value * 1e6,
            "" or "s" => value * 1e9,
            "m" or "min" => value * 60e9,
            "h" => value * 3600e9,
            _ => null,
        };
        if (ns is null)
        {
            throw new UserException($"invalid {what} '{text}': unknown unit '{unit}' (use ns, us, ms, s, m or h)");
        }
        if (ns <= 0)
        {
            throw new UserException($"invalid {what} '{text}': it must be positive");
        }
        if (ns > TimeSpan.FromDays(1).TotalNanoseconds)
        {
            throw new UserException($"invalid {what} '{text}': longer than a day");
        }
        return TimeSpan.FromTicks(Math.Max(1, (long)Math.Round(ns.Value / 100)));
    }

    /// <summary>A threshold: a duration, or <c>auto</c> (null).</summary>
    public static TimeSpan? Threshold(string text) =>
        text.Trim().Equals("auto", StringComparison.OrdinalIgnoreCase) ? null : Duration(text, "threshold");

    /// <summary>A percentage between 0 and 100.</summary>
    public static double Percent(string text)
    {
        var trimmed = text.Trim().TrimEnd('%');
        if (!double.TryParse(trimmed, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value) || value is < 0 or > 100)
        {
            throw new UserException($"invalid percentage '{text}': expected a number from 0 to 100");
        }
        return value;
    }

    /// <summary>A duration in ns for tables: 12.3 ns, 4.56 µs, 1.23 ms.</summary>
    public static string FormatNs(double ns) => ns switch
    {
        >= 1e9 => string.Create(CultureInfo.InvariantCulture, $"{ns / 1e9:F2} s"),
        >= 1e6 => string.Create(CultureInfo.InvariantCulture, $"{ns / 1e6:F2} ms"),
        >= 1e3 => string.Create(CultureInfo.InvariantCulture, $"{ns / 1e3:F2} µs"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{ns:F1} ns"),
    };
}
