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
/// Without oslat (Debian: <c>apt-get install rt-tests</c>) the suite says so and records neither.
/// Two cases need no oslat: <c>attributed-share</c> (baseline <c>none</c>): the ratio is the share of the noise
/// time that attribution gave a named cause (baseline = named ns, subject = all noise ns of the kept gaps), the
/// rest being unexplained; <c>loop-period-attributed</c> (baseline <c>attribution-off</c>): the loop period with
/// attribution off over the period with it on (≥ 0.91 means tracing costs the loop at most 10 %), runs alternating.
/// The period there is that of the iterations outside gaps (run time minus gap time, over iterations minus gaps):
/// on a shared machine the whole-run figure is mostly other tasks' time slices, which differ from run to run;
/// both whole-run figures are in the row's extra.
/// </summary>
public sealed class IsolationSuite : ICompareSuite
{
    /// <inheritdoc />
    public string Name => "isolation";

    /// <inheritdoc />
    public string Description => "noise meter vs oslat on one CPU: loop period and noise ns/s (needs rt-tests' oslat); the share of noise attribution names and what it costs the loop";

    /// <inheritdoc />
    public void Run(CompareContext context)
    {
        RunAttribution(context);
        RunAgainstOslat(context);
    }

    private static void RunAttribution(CompareContext context)
    {
        var cpu = CpuTopology.Read(SystemRoot.Live).Online.Max;
        var seconds = context.Quick ? 2 : 10;
        var rounds = context.Quick ? 2 : 3;
        var on = new List<NoiseReport>();
        var off = new List<CpuNoise>();
        for (var round = 0; round < rounds; round++)
        {
            if (round % 2 == 0)
            {
                on.Add(MeasureReport(cpu, seconds, attribute: true));
                off.Add(MeasureReport(cpu, seconds, attribute: false).Cpus[0]);
            }
            else
            {
                off.Add(MeasureReport(cpu, seconds, attribute: false).Cpus[0]);
                on.Add(MeasureReport(cpu, seconds, attribute: true));
            }
        }
        var traced = on.All(r => r.Attribution.KernelTraced);
        var why = on.Select(r => r.Attribution.KernelUnavailable).FirstOrDefault(r => r is not null);
        if (!traced)
        {
            context.Console.MarkupLine($"  [yellow]the kernel was not traced ({Markup.Escape(why ?? "?")}): attributed-share counts the runtime's causes only[/]");
        }
        // Over all rounds: every kept gap's time, and the part given a named cause.
        double all = 0, named = 0;
        foreach (var report in on)
        {
            foreach (var e in report.Cpus[0].Events)
            {
                all += e.GapNs;
                named += e.Cause is { Kind: not NoiseCauseKind.Unexplained } ? e.GapNs : 0;
            }
        }
        var top = on.SelectMany(r => r.Cpus[0].Causes).GroupBy(c => c.Kind).Select(g => (Kind: g.Key, Ns: g.Sum(c => c.TotalNs))).OrderByDescending(k => k.Ns).ToList();
        var extra = new Dictionary<string, double>
        {
            ["kernel_traced"] = traced ? 1 : 0,
            ["unexplained_ns"] = all - named,
            ["gaps"] = on.Sum(r => r.Cpus[0].Events.Count),
            ["trace_events_lost"] = on.Sum(r => r.Cpus[0].TraceEventsLost),
        };
        foreach (var (kind, ns) in top.Take(5))
        {
            extra[$"share_{kind.ToString().ToLowerInvariant()}"] = all == 0 ? 0 : ns / all;
        }
        var note = $"CPU {cpu}, {rounds} x {seconds} s, threshold 1 µs; ratio = named / all noise time of the kept gaps" + (traced ? "" : $"; kernel not traced: {why}");
        context.Record(CompareResult.Of(context.Suite, "attributed-share", "none", all, named, rounds: rounds, note: note, extra: extra));

        var periodOn = Median(on.Select(r => PeriodOutsideGaps(r.Cpus[0])));
        var periodOff = Median(off.Select(PeriodOutsideGaps));
        context.Record(CompareResult.Of(context.Suite, "loop-period-attributed", "attribution-off", periodOn, periodOff, rounds: rounds,
            note: $"CPU {cpu}, {rounds} x {seconds} s each side, alternating; the loop period outside gaps with kernel and runtime attribution on vs off" + (traced ? "" : $"; kernel not traced: {why}"),
            extra: new Dictionary<string, double>
            {
                ["subject_whole_run_ns"] = Median(on.Select(r => r.Cpus[0].LoopPeriodNs)),
                ["baseline_whole_run_ns"] = Median(off.Select(o => o.LoopPeriodNs)),
                ["subject_percent_lost"] = Median(on.Select(r => r.Cpus[0].PercentLost)),
                ["baseline_percent_lost"] = Median(off.Select(o => o.PercentLost)),
            }));
    }

    private static void RunAgainstOslat(CompareContext context)
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

    /// <summary>The loop's period when it runs: run time minus time in gaps over the threshold, over iterations minus those gaps.</summary>
    private static double PeriodOutsideGaps(CpuNoise cpu)
    {
        var runNs = cpu.LoopPeriodNs * cpu.Samples;
        return runNs * (1 - (cpu.PercentLost / 100)) / Math.Max(1, cpu.Samples - cpu.Gaps);
    }

    private static CpuNoise Measure(int cpu, int seconds) => MeasureReport(cpu, seconds, attribute: false).Cpus[0];

    private static NoiseReport MeasureReport(int cpu, int seconds, bool attribute) =>
        NoiseMeter.Run(new NoiseOptions(CpuSet.Of(cpu)) { Duration = TimeSpan.FromSeconds(seconds), Threshold = TimeSpan.FromMicroseconds(1), IncludeAudit = false, Attribute = attribute });

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
