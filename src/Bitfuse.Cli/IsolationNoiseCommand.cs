using System.CommandLine;
using System.Globalization;
using System.Text;
using Bitfuse.Isolation;
using Bitfuse.Isolation.Noise;
using Spectre.Console;

namespace Bitfuse.Cli;

/// <summary><c>bitfuse isolation noise</c>: spin a pinned thread per CPU and report every gap it sees.</summary>
internal static class IsolationNoiseCommand
{
    public static Command Create()
    {
        var cpus = new Option<string?>("--cpus") { Description = "The CPUs to measure (cpulist). Default: the isolated CPUs, else the last online CPU." };
        var duration = new Option<string>("--duration") { Description = "How long to measure (10s, 500ms, 2m).", DefaultValueFactory = _ => "10s" };
        var threshold = new Option<string>("--threshold") { Description = "Gaps longer than this are noise: a duration (1us) or auto.", DefaultValueFactory = _ => "1us" };
        var json = JsonOutput.Switch("the report");
        var output = JsonOutput.File();
        var csv = new Option<string?>("--csv") { Description = "Write the gap events as CSV to FILE." };
        var plot = new Option<string?>("--plot") { Description = "Write a plot (histogram and timeline) to FILE.svg or FILE.png." };
        var maxGap = new Option<string?>("--max-gap") { Description = "Fail (exit 1) when any gap is longer than this duration." };
        var maxNoise = new Option<string?>("--max-noise-pct") { Description = "Fail (exit 1) when a CPU loses more than P % of its time." };
        var clock = new Option<string>("--clock") { Description = "rdtsc (default, falls back when unavailable) or stopwatch.", DefaultValueFactory = _ => "rdtsc" };
        var fifo = new Option<int?>("--fifo") { Description = "Run the spinning threads SCHED_FIFO at this priority (1-99) where allowed. Starves other work on those CPUs." };
        var mlock = new Option<bool>("--mlock") { Description = "Lock the process's memory (mlockall) before measuring." };
        var explain = new Option<bool>("--explain") { Description = "Print the top causes of the noise with their shares and what removes each." };
        var noAttribution = new Option<bool>("--no-attribution") { Description = "Do not trace the kernel or the runtime to name each gap's cause." };
        var command = new Command("noise", "Measure the noise a pinned thread sees: gaps in a tight timestamp loop, with attribution.")
        {
            cpus, duration, threshold, json, output, csv, plot, maxGap, maxNoise, clock, fifo, mlock, explain, noAttribution,
        };
        command.SetAction(parse =>
        {
            var chosen = IsolationArguments.Cpus(parse.GetValue(cpus)) ?? DefaultCpus();
            var options = new NoiseOptions(chosen)
            {
                Duration = IsolationArguments.Duration(parse.GetValue(duration) ?? "10s", "duration"),
                Threshold = IsolationArguments.Threshold(parse.GetValue(threshold) ?? "1us"),
                Clock = (parse.GetValue(clock) ?? "rdtsc").ToLowerInvariant() switch
                {
                    "rdtsc" => ClockKind.Rdtsc,
                    "stopwatch" => ClockKind.Stopwatch,
                    var other => throw new UserException($"invalid clock '{other}': use rdtsc or stopwatch"),
                },
                FifoPriority = parse.GetValue(fifo) is { } priority and (< 1 or > 99)
                    ? throw new UserException($"invalid --fifo {priority}: a SCHED_FIFO priority is 1 to 99")
                    : parse.GetValue(fifo),
                LockMemory = parse.GetValue(mlock),
                Attribute = !parse.GetValue(noAttribution),
            };
            var maxGapNs = parse.GetValue(maxGap) is { } g ? IsolationArguments.Duration(g, "max gap").TotalNanoseconds : (double?)null;
            var maxPct = parse.GetValue(maxNoise) is { } p ? IsolationArguments.Percent(p) : (double?)null;
            var plotPath = parse.GetValue(plot);
            if (plotPath is not null && !IsolationPlot.Supports(plotPath))
            {
                throw new UserException($"cannot plot to '{plotPath}': the file name must end in .svg or .png");
            }
            try
            {
                NoiseMeter.Validate(chosen);
            }
            catch (ArgumentException e)
            {
                throw new UserException(e.Message);
            }

            var report = NoiseMeter.Run(options, Progress(options));
            JsonOutput.Emit(NoiseReportJson.Serialize(report), parse, json, output, () =>
            {
                Render(report);
                if (parse.GetValue(explain))
                {
                    IsolationExplain.Render(IsolationConsole.Create(), report);
                }
            });
            if (parse.GetValue(csv) is { } csvPath)
            {
                File.WriteAllText(csvPath, Csv(report));
                Console.Error.WriteLine($"wrote {csvPath}");
            }
            if (plotPath is not null)
            {
                IsolationPlot.Write(report, plotPath);
                Console.Error.WriteLine($"wrote {plotPath}");
            }
            var violations = report.Violations(maxGapNs, maxPct);
            foreach (var violation in violations)
            {
                CommandLineRunner.WriteError(violation);
            }
            return violations.Count > 0 ? CommandLineRunner.ExitFailure : CommandLineRunner.ExitOk;
        });
        return command;
    }

    /// <summary>The isolated CPUs, else the last online CPU (CPU 0 carries the most kernel work).</summary>
    private static CpuSet DefaultCpus()
    {
        var topology = CpuTopology.Read(SystemRoot.Live);
        return !topology.Isolated.IsEmpty ? topology.Isolated : CpuSet.Of(topology.Online.Max);
    }

    private static Progress<double>? Progress(NoiseOptions options)
    {
        if (Console.IsErrorRedirected)
        {
            return null;
        }
        Console.Error.Write($"measuring CPUs {options.Cpus} for {IsolationArguments.FormatNs(options.Duration.TotalNanoseconds)} ...");
        return new Progress<double>(f =>
        {
            Console.Error.Write(string.Create(CultureInfo.InvariantCulture, $"\rmeasuring CPUs {options.Cpus} for {IsolationArguments.FormatNs(options.Duration.TotalNanoseconds)}: {f * 100,3:F0} %"));
            if (f >= 1)
            {
                Console.Error.WriteLine();
            }
        });
    }

    private static void Render(NoiseReport report)
    {
        var console = IsolationConsole.Create();
        static string F(double ns) => IsolationArguments.FormatNs(ns);
        static string N(double v, string format) => v.ToString(format, CultureInfo.InvariantCulture);
        console.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
            $"clock {report.Clock.Kind.ToString().ToLowerInvariant()} at {report.Clock.TicksPerSecond / 1e6:F1} MHz ({report.Clock.Reason}); threshold {F(report.ThresholdNs)} ({report.ThresholdChosenBy}); {report.DurationSeconds:F2} s")));

        var table = new Table().Border(TableBorder.Rounded).Title("noise per CPU");
        foreach (var column in new[] { "cpu", "loop", "samples", "gaps", "gaps/s", "noise ns/s", "% lost", "p50", "p99", "p99.9", "p99.99", "max" })
        {
            table.AddColumn(new TableColumn(column).RightAligned());
        }
        foreach (var c in report.Cpus)
        {
            table.AddRow(N(c.Cpu, "F0") + (c.Pinned ? "" : " (not pinned)"), F(c.LoopPeriodNs), N(c.Samples, "N0"), N(c.Gaps, "N0"), N(c.GapsPerSecond, "F1"),
                N(c.NoiseNsPerSecond, "F0"), N(c.PercentLost, "F4"), F(c.Percentiles.P50), F(c.Percentiles.P99), F(c.Percentiles.P999), F(c.Percentiles.P9999), F(c.MaxNs));
        }
        console.Write(table);

        // Histogram: the log-linear buckets merged per power of two, one column per CPU.
        var histogram = new Table().Border(TableBorder.Rounded).Title("gaps per duration (powers of two)").AddColumn(new TableColumn("gap ≤").RightAligned());
        var rows = new SortedDictionary<double, long[]>();
        for (var i = 0; i < report.Cpus.Count; i++)
        {
            histogram.AddColumn(new TableColumn($"CPU {report.Cpus[i].Cpu}").RightAligned());
            foreach (var bucket in report.Cpus[i].Histogram)
            {
                var upper = Math.Pow(2, Math.Ceiling(Math.Log2(Math.Max(1, bucket.UpperNs))));
                if (!rows.TryGetValue(upper, out var counts))
                {
                    rows[upper] = counts = new long[report.Cpus.Count];
                }
                counts[i] += bucket.Count;
            }
        }
        foreach (var (upper, counts) in rows)
        {
            histogram.AddRow([F(upper), .. counts.Select(c => c == 0 ? "" : N(c, "N0"))]);
        }
        console.Write(histogram);

        RenderCauses(console, report);

        foreach (var c in report.Cpus)
        {
            var interrupts = string.Join(", ", c.Total.Interrupts.OrderByDescending(d => d.Count).Take(6).Select(d => $"{d.Name} {d.Count}"));
            var softirqs = string.Join(", ", c.Total.Softirqs.OrderByDescending(d => d.Count).Take(6).Select(d => $"{d.Name} {d.Count}"));
            console.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
                $"CPU {c.Cpu}: interrupts [{(interrupts.Length == 0 ? "none" : interrupts)}]; softirqs [{(softirqs.Length == 0 ? "none" : softirqs)}]; context switches {c.Total.VoluntarySwitches} voluntary, {c.Total.InvoluntarySwitches} involuntary; steal {F(c.Total.StealNs)}; other threads allowed here: {(c.RuntimeThreadsSharing.Count == 0 ? "none" : string.Join(", ", c.RuntimeThreadsSharing))}")));
        }
        var r = report.Runtime;
        console.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
            $"runtime: GCs {r.Gen0Collections}/{r.Gen1Collections}/{r.Gen2Collections} (gen0/1/2), pause {r.GcPauseMs:F2} ms, no-GC region {(r.NoGcRegionHeld ? "held" : "not held")}; JIT {r.JitCompiledMethods} methods, {r.JitTimeMs:F1} ms")));
        foreach (var step in report.Preparation.Where(s => !s.Done))
        {
            console.MarkupLine($"[yellow]refused:[/] {Markup.Escape(step.Action)}: {Markup.Escape(step.Detail)}");
        }
        if (report.Audit is { } audit)
        {
            console.MarkupLine(Markup.Escape("audit: " + audit.Summary + " (bitfuse isolation audit for details)"));
        }
    }

    /// <summary>Says once why gaps are unattributed, or shows each CPU's causes.</summary>
    private static void RenderCauses(IAnsiConsole console, NoiseReport report)
    {
        static string F(double ns) => IsolationArguments.FormatNs(ns);
        var a = report.Attribution;
        if (!a.KernelTraced)
        {
            var runtime = a.RuntimeRecorded ? "only the runtime's own events (GC, JIT, thread pool) name gaps; the rest are unexplained" : "gaps are reported unattributed";
            console.MarkupLine(Markup.Escape($"attribution: kernel not traced ({a.KernelUnavailable}); {runtime}"));
        }
        if (!a.RuntimeRecorded)
        {
            return;
        }
        foreach (var c in report.Cpus)
        {
            var table = new Table().Border(TableBorder.Rounded)
                .Title(Markup.Escape(string.Create(CultureInfo.InvariantCulture, $"causes on CPU {c.Cpu}: {(c.AttributedPercent ?? 0):F1} % of the noise time named ({c.Events.Count:N0} gaps kept, {c.TraceEvents:N0} trace events, {c.TraceEventsLost:N0} lost)")));
            foreach (var column in new[] { "cause", "kind", "gaps", "total", "share", "p50", "p99", "max" })
            {
                table.AddColumn(column == "cause" || column == "kind" ? new TableColumn(column) : new TableColumn(column).RightAligned());
            }
            foreach (var cause in c.Causes.Take(12))
            {
                table.AddRow(Markup.Escape(cause.Name), cause.Kind.ToString(), cause.Gaps.ToString("N0", CultureInfo.InvariantCulture), F(cause.TotalNs),
                    cause.SharePercent.ToString("F1", CultureInfo.InvariantCulture) + " %", F(cause.P50Ns), F(cause.P99Ns), F(cause.MaxNs));
            }
            if (c.Causes.Count > 12)
            {
                table.Caption($"and {c.Causes.Count - 12} more causes (--json has all)");
            }
            console.Write(table);
        }
    }

    private static string Csv(NoiseReport report)
    {
        var builder = new StringBuilder("cpu,offset_ns,gap_ns,cause_kind,cause,detail\n");
        foreach (var c in report.Cpus)
        {
            foreach (var e in c.Events)
            {
                builder.Append(CultureInfo.InvariantCulture, $"{c.Cpu},{e.OffsetNs:F0},{e.GapNs:F0},{CsvField(e.Cause?.Kind.ToString())},{CsvField(e.Cause?.Name)},{CsvField(e.Cause?.Detail)}\n");
            }
        }
        return builder.ToString();
    }

    /// <summary>A CSV field, quoted when it holds a comma, a quote or a line break (RFC 4180).</summary>
    internal static string CsvField(string? value) =>
        value is null ? "" : value.AsSpan().IndexOfAny(",\"\r\n") < 0 ? value : "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
