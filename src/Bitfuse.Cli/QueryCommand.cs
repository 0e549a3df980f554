using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Bitfuse.Query.Execution;

namespace Bitfuse.Cli;

/// <summary><c>bitfuse query</c>: compile a query and run it over a data set or named bitmap files.</summary>
internal static class QueryCommand
{
    private const string Syntax = """
        Operators, tightest first: ! or ~ (not), & (and), - (and-not: a - b = a & !b), ^ (xor), | (or); parentheses group.
        Names: letters, digits, _, and . : - inside a name that starts with a letter or _ ("a-b" is one name, "a - b" is and-not);
        any other text in double quotes. $0 is the empty set, $1 the universe [0, largest value + 1) unless --universe is given.
        """;

    public static Command Create()
    {
        var expression = new Argument<string>("expression") { Description = "The query, for example \"(ios | android) & !churned\"." };
        var dataset = new Option<string?>("--dataset") { Description = "A folder with one .txt bitmap per file (comma-separated values), named after the file: name.csv12.txt is 'name.csv12'." };
        var bitmaps = new Option<string[]>("--bitmap") { Description = "NAME=FILE: a .txt bitmap or a Roaring portable file (.roaring, .bin). Repeat for each input." };
        var count = new Option<bool>("--count") { Description = "Print only the count (nothing is materialised)." };
        var values = new Option<bool>("--values") { Description = "Print the answer's values, ascending." };
        var limit = new Option<int?>("--limit") { Description = "With --values: print at most N values." };
        var explain = new Option<bool>("--explain") { Description = "Show the parsed and optimized trees, the kernel, the universe and per-key statistics." };
        var universe = new Option<long?>("--universe") { Description = "The universe end N: ! and $1 complement within [0, N)." };
        var parallel = new Option<int>("--parallel") { Description = "Worker threads over key ranges (default 1).", DefaultValueFactory = _ => 1 };
        var runs = new Option<int>("--runs") { Description = "Warm runs after the first (cold) one; the warm time is their median (default 5, 0 for cold only).", DefaultValueFactory = _ => 5 };
        var json = JsonOutput.Switch("the result");
        var output = JsonOutput.File();
        var command = new Command("query", "Run a bitmap query, compiled at run time into a fused SIMD kernel.\n" + Syntax)
        {
            expression, dataset, bitmaps, count, values, limit, explain, universe, parallel, runs, json, output,
        };
        command.SetAction(parse =>
        {
            var text = parse.GetValue(expression)!;
            var folder = parse.GetValue(dataset);
            var files = parse.GetValue(bitmaps) ?? [];
            if (folder is null == (files.Length == 0))
            {
                throw new UserException("give either --dataset DIR or one or more --bitmap NAME=FILE");
            }
            if (parse.GetValue(count) && parse.GetValue(values))
            {
                throw new UserException("--count and --values exclude each other");
            }
            if (parse.GetValue(limit) is < 0)
            {
                throw new UserException("--limit must be 0 or more");
            }
            if (parse.GetValue(runs) is < 0 or > 1000)
            {
                throw new UserException("--runs must be within [0, 1000]");
            }
            if (parse.GetValue(parallel) < 1)
            {
                throw new UserException("--parallel must be 1 or more");
            }
            var options = new QueryRunOptions { UniverseEnd = parse.GetValue(universe), DegreeOfParallelism = parse.GetValue(parallel) };
            if (options.UniverseEnd is < 0 or > 1L << 32)
            {
                throw new UserException("--universe must be within [0, 4294967296]");
            }
            var query = Compile(text);
            using var inputs = folder is not null ? QueryInputs.FromDataSet(folder) : QueryInputs.FromFiles(files);
            var mode = parse.GetValue(count) ? OutputMode.Count : parse.GetValue(values) ? OutputMode.Values : OutputMode.Preview;
            var report = Run(query, inputs, options, mode, parse.GetValue(limit), parse.GetValue(explain), parse.GetValue(runs));
            JsonOutput.Emit(report, parse, json, output, () => Render(report, mode, parse.GetValue(limit)));
            return CommandLineRunner.ExitOk;
        });
        return command;
    }

    /// <summary>Compiles <paramref name="text"/>; a syntax error reaches the runner as a usage error with its caret.</summary>
    public static CompiledQuery Compile(string text, QueryEngine? engine = null) => (engine ?? new QueryEngine()).Compile(text);

    private enum OutputMode
    {
        Preview,
        Count,
        Values,
    }

    private const int PreviewValues = 10;

    /// <summary>
    /// Runs the query once cold (the first run after compiling: caches and JIT tiers are cold) and
    /// <paramref name="warmRuns"/> times more, keeping the median of those as the warm time.
    /// </summary>
    private static QueryReport Run(CompiledQuery query, BitmapSet inputs, QueryRunOptions options, OutputMode mode, int? limit, bool explain, int warmRuns)
    {
        var explanation = explain ? query.Explain(inputs, options) : null;
        var max = mode == OutputMode.Values ? limit ?? int.MaxValue : PreviewValues;
        var shown = new List<uint>();
        var started = Stopwatch.GetTimestamp();
        var count = Once(query, inputs, options, mode, shown, max);
        var coldMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        var warm = new List<double>(warmRuns);
        for (var r = 0; r < warmRuns; r++)
        {
            started = Stopwatch.GetTimestamp();
            Once(query, inputs, options, mode, null, 0);
            warm.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
        warm.Sort();
        double? warmMs = warm.Count == 0 ? null : warm.Count % 2 == 1 ? warm[warm.Count / 2] : (warm[(warm.Count / 2) - 1] + warm[warm.Count / 2]) / 2;
        return new QueryReport(query.Text, count, coldMs, warmMs, warmRuns,
            mode == OutputMode.Values ? shown : null, mode == OutputMode.Preview ? shown : null, explanation is null ? null : ExplainReport.From(explanation), explanation?.ToString());
    }

    /// <summary>One run in <paramref name="mode"/>; the first <paramref name="max"/> values go to <paramref name="shown"/> when given.</summary>
    private static long Once(CompiledQuery query, BitmapSet inputs, QueryRunOptions options, OutputMode mode, List<uint>? shown, int max)
    {
        switch (mode)
        {
            case OutputMode.Count:
                return query.Count(inputs, options);
            case OutputMode.Values:
                long count = 0;
                query.ForEach(inputs, v =>
                {
                    if (count++ < max)
                    {
                        shown?.Add(v);
                    }
                }, options);
                return count;
            default:
                using (var result = query.Evaluate(inputs, options))
                {
                    if (shown is not null)
                    {
                        foreach (var v in result)
                        {
                            if (shown.Count == max)
                            {
                                break;
                            }
                            shown.Add(v);
                        }
                    }
                    return result.Count;
                }
        }
    }

    private static void Render(QueryReport report, OutputMode mode, int? limit)
    {
        if (report.ExplainText is not null)
        {
            Console.Out.WriteLine(report.ExplainText);
        }
        if (mode == OutputMode.Values)
        {
            foreach (var v in report.Values!)
            {
                Console.Out.WriteLine(v.ToString(CultureInfo.InvariantCulture));
            }
            if (limit is int max && report.Count > max)
            {
                Console.Error.WriteLine($"... {report.Count - max} more (limit {max})");
            }
        }
        var what = mode == OutputMode.Preview ? PreviewText(report.Preview!, report.Count) : "";
        var timing = report.WarmMs is double warm
            ? string.Create(CultureInfo.InvariantCulture, $"cold {report.ColdMs:F3} ms, warm {warm:F3} ms (median of {report.WarmRuns})")
            : string.Create(CultureInfo.InvariantCulture, $"cold {report.ColdMs:F3} ms");
        Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{report.Count} values; {timing}{what}"));
    }

    private static string PreviewText(List<uint> shown, long count) =>
        shown.Count == 0 ? "" : $": {string.Join(", ", shown)}{(count > shown.Count ? ", ..." : "")}";

    /// <summary>
    /// A query's answer. <c>ColdMs</c> is the first run; <c>WarmMs</c> the median of <c>WarmRuns</c> runs after it.
    /// <c>Values</c> holds the values (up to --limit) with --values; <c>Preview</c> the first ten otherwise.
    /// </summary>
    private sealed record QueryReport(string Query, long Count, double ColdMs, double? WarmMs, int WarmRuns, List<uint>? Values, List<uint>? Preview, ExplainReport? Explain,
        [property: System.Text.Json.Serialization.JsonIgnore] string? ExplainText);

    private sealed record ExplainReport(string Parsed, string Optimized, string Kernel, IReadOnlyList<string> KernelInputs, string Width,
        long UniverseEnd, bool UniverseGiven, string Path, double? PathElapsedMs, long KeysVisited, long KeysSkipped, long KeysCopied, long KeysDense, long KeysSparse,
        long ContainersExpanded, long BytesRead, double ElapsedMs)
    {
        public static ExplainReport From(QueryExplanation e) => new(e.Parsed, e.Optimized, e.Shape, e.KernelInputs, e.Width.ToString(),
            e.UniverseEnd, e.UniverseGiven, e.Path, e.PathElapsed?.TotalMilliseconds, e.Statistics.KeysVisited, e.Statistics.KeysSkipped, e.Statistics.KeysCopied, e.Statistics.KeysDense,
            e.Statistics.KeysSparse, e.Statistics.ContainersExpanded, e.Statistics.BytesRead, e.Statistics.Elapsed.TotalMilliseconds);
    }
}
