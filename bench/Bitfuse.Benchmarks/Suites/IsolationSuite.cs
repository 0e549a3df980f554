using Bitfuse.Benchmarks.Compare;
using Bitfuse.Isolation;
using Bitfuse.Isolation.Noise;
using Spectre.Console;

namespace Bitfuse.Benchmarks.Suites;

/// <summary>
/// <c>compare isolation</c>: Bitfuse's noise meter against <c>oslat</c> on the same CPU for the same time,
/// back to back (rounds alternate which goes first). <c>loop-period</c>: the loop's resolution, ratio =
/// oslat_ns / bitfuse_ns (≥ 0.67 means our loop is at most 1.5x oslat's). <c>noise-total</c>: noise ns per
/// second (gaps of 1 µs and up), ratio = oslat / bitfuse (near 1 means both see the same noise). oslat's
/// histogram has 1 µs buckets and stops at 1 ms, so both sides are counted by those rules; our exact
/// figure is the row's extra <c>subject_exact_ns_per_second</c>.
/// Without oslat (Debian: <c>apt-get install rt-tests</c>) the suite says so and records nothing.
/// </summary>
public sealed class IsolationSuite : ICompareSuite
{
    /// <inheritdoc />
    public string Name => "isolation";

    /// <inheritdoc />
    public string Description => "noise meter vs oslat on one CPU: loop period and noise ns/s (needs rt-tests' oslat)";

    /// <inheritdoc />
    public void Run(CompareContext context)
    {
        var oslat = IsolationOslat.Find();
        if (oslat is null)
        {
            context.Console.MarkupLine("  [yellow]oslat not found on PATH (Debian: apt-get install rt-tests): the isolation suite records nothing[/]");
            return;
        }
        var online = CpuTopology.Read(SystemRoot.Live).Online;
        var cpu = online.Max;
        var mainCpu = online.Count > 1 ? online.Min : cpu;
        var seconds = context.Quick ? 2 : 10;
        var rounds = context.Quick ? 2 : 3;
        var ours = new List<CpuNoise>();
        var theirs = new List<IsolationOslat.Result>();
        for (var round = 0; round < rounds; round++)
        {
            try
            {
                if (round % 2 == 0)
                {
                    ours.Add(Measure(cpu, seconds));
                    theirs.Add(IsolationOslat.Run(oslat, cpu, mainCpu, seconds));
                }
                else
                {
                    theirs.Add(IsolationOslat.Run(oslat, cpu, mainCpu, seconds));
                    ours.Add(Measure(cpu, seconds));
                }
            }
            catch (InvalidOperationException e)
            {
                context.Console.MarkupLine($"  [yellow]oslat failed ({Markup.Escape(e.Message)}): the isolation suite records nothing[/]");
                return;
            }
        }

        var loop = Median(ours.Select(o => o.LoopPeriodNs));
        var oslatLoop = Median(theirs.Select(t => t.LoopPeriodNs));
        var note = $"CPU {cpu}, {rounds} x {seconds} s each side, back to back";
        context.Record(CompareResult.Of(context.Suite, "loop-period", "oslat", loop, oslatLoop, rounds: rounds, note: note,
            extra: new Dictionary<string, double>
            {
                ["subject_samples_per_second"] = 1e9 / loop,
                ["baseline_samples_per_second"] = 1e9 / oslatLoop,
            }));
        // Both sides counted by oslat's rules (1 µs buckets, gaps past 1 ms at 1 ms but the longest), so the
        // ratio compares the noise found, not the two tools' binning; our exact figure is in extra.
        var noise = Median(ours.Select(OslatBinnedNoise));
        var oslatNoise = Median(theirs.Select(t => t.NoiseNsPerSecond));
        context.Record(CompareResult.Of(context.Suite, "noise-total", "oslat", noise, oslatNoise, unit: "ns/s", rounds: rounds,
            note: note + "; gaps of 1 µs and up, both counted in oslat's 1 µs buckets",
            extra: new Dictionary<string, double>
            {
                ["subject_max_gap_ns"] = ours.Max(o => o.MaxNs),
                ["baseline_max_gap_ns"] = theirs.Max(t => t.MaxNs),
                ["subject_exact_ns_per_second"] = Median(ours.Select(o => o.NoiseNsPerSecond)),
                ["subject_gaps_per_second"] = Median(ours.Select(o => o.GapsPerSecond)),
                ["baseline_gaps_per_second"] = Median(theirs.Select(t => t.GapsPerSecond)),
            }));
    }

    private static CpuNoise Measure(int cpu, int seconds) =>
        NoiseMeter.Run(new NoiseOptions(CpuSet.Of(cpu)) { Duration = TimeSpan.FromSeconds(seconds), Threshold = TimeSpan.FromMicroseconds(1), IncludeAudit = false }).Cpus[0];

    /// <summary>
    /// Our noise counted the way <see cref="IsolationOslat.Parse"/> counts oslat's: gaps of 1 µs and up at
    /// their 1 µs bucket's middle, gaps past 1023 µs at 1023 µs except the longest at its length, so the two
    /// figures can be compared on a machine where millisecond gaps are common.
    /// </summary>
    private static double OslatBinnedNoise(CpuNoise cpu)
    {
        double noiseNs = 0;
        foreach (var bucket in cpu.Histogram)
        {
            var middle = (bucket.LowerNs + bucket.UpperNs) / 2;
            if (middle < 1000)
            {
                continue;
            }
            noiseNs += middle >= 1_023_000 ? bucket.Count * 1_023_000.0 : bucket.Count * (Math.Floor(middle / 1000) + 0.5) * 1000;
        }
        if (cpu.MaxNs >= 1_023_000)
        {
            noiseNs += cpu.MaxNs - 1_023_000;
        }
        var seconds = cpu.Samples * cpu.LoopPeriodNs / 1e9;
        return noiseNs / seconds;
    }

    private static double Median(IEnumerable<double> values) => Stopwatches.Median(values.ToList());
}
