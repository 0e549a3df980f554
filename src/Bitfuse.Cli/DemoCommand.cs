using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Spectre.Console;

namespace Bitfuse.Cli;

/// <summary>
/// <c>bitfuse demo</c>: loads a real data set (or generates one), runs representative queries and shows,
/// for each, the answer's size, Bitfuse's time and the time of the same query evaluated pairwise with
/// Bitfuse's own <see cref="Bitmap"/> operations. Answers are checked equal before anything is shown.
/// </summary>
internal static class DemoCommand
{
    public static Command Create()
    {
        var data = new Option<string?>("--data") { Description = "The real-data folder (default: ../shared/datasets/realdata, searched upwards; generated data when absent)." };
        var dataset = new Option<string>("--dataset") { Description = "Which data set of the folder (default census-income).", DefaultValueFactory = _ => "census-income" };
        var generate = new Option<bool>("--generate") { Description = "Use generated data even when real data is present." };
        var runs = new Option<int>("--runs") { Description = "Timed warm runs per query and side, after three untimed ones; the median is shown (default 5).", DefaultValueFactory = _ => 5 };
        var json = JsonOutput.Switch("the results");
        var output = JsonOutput.File();
        var command = new Command("demo", "Load a real data set and race Bitfuse's fused queries against pairwise bitmap operations.")
        {
            data, dataset, generate, runs, json, output,
        };
        command.SetAction(parse =>
        {
            var rounds = parse.GetValue(runs);
            if (rounds < 1)
            {
                throw new UserException("--runs must be 1 or more");
            }
            var folder = parse.GetValue(generate) ? null : DemoData.FindRealData(parse.GetValue(data));
            string source;
            BitmapSet inputs;
            if (folder is not null)
            {
                var set = Path.Combine(folder, parse.GetValue(dataset)!);
                if (!Directory.Exists(set))
                {
                    var known = Directory.GetDirectories(folder).Select(Path.GetFileName).ToArray();
                    throw new UserException($"no data set '{parse.GetValue(dataset)}' in {folder}; there are: {string.Join(", ", known)}");
                }
                inputs = QueryInputs.FromDataSet(set);
                source = $"{Path.GetFileName(set)} ({folder})";
            }
            else
            {
                inputs = DemoData.Generate();
                source = "generated: 200 bitmaps over 4,194,304 rows (no real-data folder found)";
            }
            using (inputs)
            {
                var report = Run(inputs, source, rounds);
                JsonOutput.Emit(report, parse, json, output, () => Render(report));
            }
            return CommandLineRunner.ExitOk;
        });
        return command;
    }

    /// <summary>
    /// The demo's queries over <paramref name="names"/>: the data set's 16 largest bitmaps, largest first
    /// (so the answers are not trivially empty), and <paramref name="all"/> for the wide OR.
    /// </summary>
    public static IReadOnlyList<(string Title, string Text)> Queries(IReadOnlyList<string> names, IReadOnlyList<string> all)
    {
        string N(int i) => names[i];
        return
        [
            ("two-way and", $"{N(0)} & {N(1)}"),
            ("segment minus churn", $"({N(2)} | {N(3)}) & !{N(4)}"),
            ("eight-way and", string.Join(" & ", Enumerable.Range(0, 8).Select(N))),
            ("mixed, six inputs", $"({N(5)} & {N(6)}) | ({N(7)} - {N(8)}) | ({N(9)} ^ {N(10)})"),
            ("sixteen inputs", $"(({N(0)} & {N(1)}) | ({N(2)} & !{N(3)})) & (({N(4)} | {N(5)}) ^ ({N(6)} & {N(7)})) | (({N(8)} & !{N(9)}) | ({N(10)} ^ {N(11)})) & !({N(12)} & ({N(13)} | {N(14)}) & !{N(15)})"),
            ($"or of all {all.Count}", string.Join(" | ", all)),
        ];
    }

    private static DemoReport Run(BitmapSet inputs, string source, int rounds)
    {
        if (inputs.Names.Count < 16)
        {
            throw new UserException($"the demo needs at least 16 bitmaps; the data set has {inputs.Names.Count}");
        }
        var engine = new QueryEngine();
        var rows = new List<DemoRow>();
        var largest = inputs.Names.OrderByDescending(n => inputs[n].Count).ThenBy(n => n, StringComparer.Ordinal).Take(16).ToArray();
        var everything = inputs.Names.ToArray();
        foreach (var (title, text) in Queries(largest, everything))
        {
            var query = QueryCommand.Compile(text, engine);
            long universe = 0;
            foreach (var name in query.Variables)
            {
                var bitmap = inputs[name];
                if (!bitmap.IsEmpty)
                {
                    universe = Math.Max(universe, bitmap.Max + 1L);
                }
            }
            using (var fused = query.Evaluate(inputs))
            using (var pairwise = DemoPairwise.Evaluate(query.Parsed, inputs, universe))
            {
                if (!fused.SetEquals(pairwise))
                {
                    throw new InvalidOperationException($"'{text}': the fused answer ({fused.Count}) differs from the pairwise one ({pairwise.Count})");
                }
            }
            // Warm up both sides (JIT tiers, kernel cache, plan cache) before timing.
            for (var w = 0; w < 3; w++)
            {
                using (query.Evaluate(inputs))
                using (DemoPairwise.Evaluate(query.Parsed, inputs, universe))
                {
                }
            }
            var fusedTimes = new List<double>();
            var pairwiseTimes = new List<double>();
            long count = 0;
            for (var r = 0; r < rounds; r++)
            {
                var start = Stopwatch.GetTimestamp();
                using (var result = query.Evaluate(inputs))
                {
                    count = result.Count;
                }
                fusedTimes.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                start = Stopwatch.GetTimestamp();
                using (DemoPairwise.Evaluate(query.Parsed, inputs, universe))
                {
                }
                pairwiseTimes.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            }
            var fusedMs = Median(fusedTimes);
            var pairwiseMs = Median(pairwiseTimes);
            rows.Add(new DemoRow(title, text, count, fusedMs, pairwiseMs, pairwiseMs / fusedMs));
        }
        var stats = engine.Kernels.Statistics;
        return new DemoReport(source, inputs.Names.Count, QueryInputs.TotalValues(inputs), engine.Kernels.Width.ToString(), rounds, stats.Kernels, stats.CompileTime.TotalMilliseconds, rows);
    }

    private static void Render(DemoReport report)
    {
        AnsiConsole.MarkupLine($"[bold]data[/]: {Markup.Escape(report.Source)}: {report.Bitmaps} bitmaps, {report.Values:N0} values");
        AnsiConsole.MarkupLine($"[bold]kernels[/]: {Markup.Escape(report.KernelWidth)}; times are warm: the median of {report.WarmRuns} runs after 3 untimed ones; pairwise = one Bitmap operation per operator");
        var table = new Table().Border(TableBorder.Rounded)
            .AddColumn("query").AddColumn(new TableColumn("answer").RightAligned())
            .AddColumn(new TableColumn("bitfuse (warm)").RightAligned()).AddColumn(new TableColumn("pairwise (warm)").RightAligned())
            .AddColumn(new TableColumn("speedup").RightAligned());
        foreach (var row in report.Queries)
        {
            var shown = row.Query.Length > 60 ? row.Query[..57] + "..." : row.Query;
            table.AddRow(
                $"[bold]{Markup.Escape(row.Title)}[/]\n[grey]{Markup.Escape(shown)}[/]",
                row.Count.ToString("N0", CultureInfo.InvariantCulture),
                Ms(row.BitfuseMs), Ms(row.PairwiseMs),
                (row.Speedup >= 1 ? "[green]" : "[yellow]") + row.Speedup.ToString("F2", CultureInfo.InvariantCulture) + "x[/]");
        }
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine($"[grey]{report.Kernels} kernels compiled in {report.CompileMs:F2} ms; answers checked equal to the pairwise ones[/]");
    }

    private static string Ms(double ms) => ms.ToString(ms < 10 ? "F3" : "F1", CultureInfo.InvariantCulture) + " ms";

    private static double Median(List<double> values)
    {
        values.Sort();
        return values.Count % 2 == 1 ? values[values.Count / 2] : (values[(values.Count / 2) - 1] + values[values.Count / 2]) / 2;
    }

    private sealed record DemoRow(string Title, string Query, long Count, double BitfuseMs, double PairwiseMs, double Speedup);

    /// <summary>The demo's results; every time is warm (the median of <see cref="WarmRuns"/> runs after untimed ones).</summary>
    private sealed record DemoReport(string Source, int Bitmaps, long Values, string KernelWidth, int WarmRuns, int Kernels, double CompileMs, List<DemoRow> Queries);
}
