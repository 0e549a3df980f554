using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace Bitfuse.Benchmarks.Suites;

/// <summary>
/// Runs <c>oslat</c> (Debian's rt-tests) as a child process and reads its JSON: the loop period is the
/// run time over the loop count; noise is every bucket of 1 µs and up, each gap counted at its bucket's
/// middle (bucket k holds gaps of k-1 to k µs). The last bucket also holds every longer gap: those are
/// counted at its lower edge, except one counted at the reported maximum, so with many gaps over a
/// millisecond (a loaded machine) oslat's noise figure is a lower bound.
/// </summary>
public static class IsolationOslat
{
    /// <summary>What one oslat run found.</summary>
    public sealed record Result(double LoopPeriodNs, double NoiseNsPerSecond, double GapsPerSecond, double MaxNs, long Loops, double Seconds);

    /// <summary>The oslat executable on PATH, or null.</summary>
    public static string? Find()
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var path = Path.Combine(dir, "oslat");
            if (File.Exists(path))
            {
                return path;
            }
        }
        return null;
    }

    /// <summary>Runs oslat on <paramref name="cpu"/> for whole <paramref name="seconds"/>, its main thread on <paramref name="mainCpu"/>; throws with its output when it fails.</summary>
    public static Result Run(string oslat, int cpu, int mainCpu, int seconds)
    {
        var json = Path.Combine(Path.GetTempPath(), $"bitfuse-oslat-{Environment.ProcessId}-{cpu}.json");
        var start = new ProcessStartInfo(oslat) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { "-c", cpu.ToString(CultureInfo.InvariantCulture), "-C", mainCpu.ToString(CultureInfo.InvariantCulture),
                     "-D", seconds.ToString(CultureInfo.InvariantCulture), "-b", "1024", "-q", $"--json={json}" })
        {
            start.ArgumentList.Add(arg);
        }
        try
        {
            using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {oslat}");
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(TimeSpan.FromSeconds(seconds + 60)))
            {
                process.Kill();
                throw new InvalidOperationException($"oslat did not finish within {seconds + 60} s");
            }
            if (process.ExitCode != 0 || !File.Exists(json))
            {
                throw new InvalidOperationException($"oslat exited with {process.ExitCode}: {stderr.Result.Trim()} {stdout.Result.Trim()}".Trim());
            }
            return Parse(File.ReadAllText(json));
        }
        finally
        {
            File.Delete(json);
        }
    }

    /// <summary>Reads oslat's <c>--json</c> output (one measured thread).</summary>
    public static Result Parse(string json)
    {
        using var doc = JsonDocument.Parse(json);
        var thread = doc.RootElement.GetProperty("thread").EnumerateObject().First().Value;
        var seconds = thread.GetProperty("duration").GetDouble();
        var maxUs = thread.GetProperty("max").GetDouble();
        long loops = 0, gaps = 0;
        double noiseUs = 0;
        var buckets = thread.GetProperty("histogram").EnumerateObject()
            .Select(p => (Us: int.Parse(p.Name, CultureInfo.InvariantCulture), Count: p.Value.GetInt64())).OrderBy(b => b.Us).ToList();
        var last = buckets.Count == 0 ? 0 : buckets[^1].Us;
        foreach (var (us, count) in buckets)
        {
            loops += count;
            if (us >= 2)
            {
                gaps += count;
                noiseUs += us == last && maxUs > us ? ((count - 1) * (us - 1.0)) + maxUs : count * (us - 0.5);
            }
        }
        return new Result(seconds * 1e9 / Math.Max(1, loops), noiseUs * 1000 / seconds, gaps / seconds, maxUs * 1000, loops, seconds);
    }
}
