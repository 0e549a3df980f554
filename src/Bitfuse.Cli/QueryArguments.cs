using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Bitfuse.Query.Execution;

namespace Bitfuse.Cli;

/// <summary>
/// The expression and options every query verb takes (<c>query</c> over files, <c>db query</c> over a database),
/// and the run that renders the answer: one definition, so both verbs behave alike.
/// </summary>
internal sealed class QueryArguments
{
    public const string Syntax = """
        Operators, tightest first: ! or ~ (not), & (and), - (and-not: a - b = a & !b), ^ (xor), | (or); parentheses group.
        Names: letters, digits, _, and . : - inside a name that starts with a letter or _ ("a-b" is one name, "a - b" is and-not);
        any other text in double quotes. $0 is the empty set, $1 the universe [0, largest value + 1) unless --universe is given.
        Fields: rows of set/mutex fields are field:row, os:(ios | android) groups rows; int fields compare: age >= 30,
        10 <= age < 20, age = 7, age != null. Aggregates: count(f), sum(age, f), min(age, f), max(age, f),
        topn(city, 10, f), groupby(os, country, f).
        """;

    private const int PreviewValues = 10;

    private readonly Argument<string> _expression = new("expression") { Description = "The query, for example \"(ios | android) & !churned\"." };
    private readonly Option<bool> _count = new("--count") { Description = "Print only the count (nothing is materialised)." };
    private readonly Option<bool> _values = new("--values") { Description = "Print the answer's values, ascending." };
    private readonly Option<int?> _limit = new("--limit") { Description = "With --values: print at most N values." };
    private readonly Option<bool> _explain = new("--explain") { Description = "Show the parsed and optimized trees, the kernel, the universe and per-key statistics." };
    private readonly Option<long?> _universe = new("--universe") { Description = "The universe end N: ! and $1 complement within [0, N)." };
    private readonly Option<int> _parallel = new("--parallel") { Description = "Worker threads over key ranges (default 1).", DefaultValueFactory = _ => 1 };
    private readonly Option<int> _runs = new("--runs") { Description = "Warm runs after the first (cold) one; the warm time is their median (default 5, 0 for cold only).", DefaultValueFactory = _ => 5 };
    private readonly Option<int> _workers = new("--workers") { Description = "Dedicated worker threads over key ranges (default 1); with --cpus they are pinned.", DefaultValueFactory = _ => 1 };
    private readonly Option<string?> _cpus = new("--cpus") { Description = "CPU list for the workers (0-3,6): worker i is pinned to the i-th CPU, round-robin." };
    private readonly Option<int?> _groups = new("--groups") { Description = "groupby: return at most N groups." };
    private readonly Option<string?> _after = new("--after") { Description = "groupby: return the groups after this one (its rows joined by ',', as printed last on the previous page)." };
    private readonly Option<bool> _json = JsonOutput.Switch("the result");
    private readonly Option<string?> _output = JsonOutput.File();

    /// <summary>The query text as given.</summary>
    public string Text(ParseResult parse) => parse.GetValue(_expression)!;

    /// <summary>Adds the expression argument and the query options to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        command.Arguments.Add(_expression);
        foreach (Option option in new Option[] { _count, _values, _limit, _explain, _universe, _parallel, _runs, _workers, _cpus, _groups, _after, _json, _output })
        {
            command.Options.Add(option);
        }
    }

    /// <summary>
    /// Checks the options and compiles the query or aggregate (before any input is loaded); the result runs it
    /// over inputs, on the workers of <c>--workers</c>/<c>--cpus</c> when given.
    /// </summary>
    public Action<BitmapSet> Prepare(ParseResult parse)
    {
        var options = RunOptions(parse);
        var mode = parse.GetValue(_count) ? OutputMode.Count : parse.GetValue(_values) ? OutputMode.Values : OutputMode.Preview;
        var limit = parse.GetValue(_limit);
        var runs = parse.GetValue(_runs);
        var text = Text(parse);
        var workers = parse.GetValue(_workers);
        var cpus = parse.GetValue(_cpus);
        if (QueryEngine.IsAggregate(text))
        {
            var aggregate = new QueryEngine().CompileAggregate(text);
            var after = parse.GetValue(_after)?.Split(',');
            return inputs =>
            {
                using var pool = FieldInputs.Pool(workers, cpus);
                var report = RunAggregate(aggregate, inputs, new AggregateOptions { Run = options with { Workers = pool }, Limit = parse.GetValue(_groups), After = after });
                JsonOutput.Emit(report, parse, _json, _output, () => RenderAggregate(report));
            };
        }
        var query = QueryCommand.Compile(text);
        var explain = parse.GetValue(_explain);
        return inputs =>
        {
            using var pool = FieldInputs.Pool(workers, cpus);
            var report = Run(query, inputs, options with { Workers = pool }, mode, limit, explain, runs);
            JsonOutput.Emit(report, parse, _json, _output, () => Render(report, mode, limit));
        };
    }

    private static AggregateReport RunAggregate(AggregateQuery query, BitmapSet inputs, AggregateOptions options)
    {
        var started = Stopwatch.GetTimestamp();
        var result = query.Run(inputs, options);
        var elapsed = Stopwatch.GetElapsedTime(started);
        return new AggregateReport(query.Text, result.Function.ToString(), result.Value?.ToString(CultureInfo.InvariantCulture),
            result.Groups.Select(g => new GroupReport(g.Rows, g.Count)).ToList(), elapsed.TotalMilliseconds);
    }

    private static void RenderAggregate(AggregateReport report)
    {
        foreach (var group in report.Groups)
        {
            Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{string.Join(",", group.Rows)}\t{group.Count}"));
        }
        var value = report.Groups.Count > 0 ? $"{report.Groups.Count} groups" : report.Value ?? "null (no value)";
        Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{report.Function}: {value} in {report.ElapsedMs:F3} ms"));
    }

    /// <summary>The run options the query options describe, checked.</summary>
    public QueryRunOptions RunOptions(ParseResult parse)
    {
        if (parse.GetValue(_count) && parse.GetValue(_values))
        {
            throw new UserException("--count and --values exclude each other");
        }
        if (parse.GetValue(_limit) is < 0)
        {
            throw new UserException("--limit must be 0 or more");
        }
        if (parse.GetValue(_runs) is < 0 or > 1000)
        {
            throw new UserException("--runs must be within [0, 1000]");
        }
        if (parse.GetValue(_parallel) < 1)
        {
            throw new UserException("--parallel must be 1 or more");
        }
        var options = new QueryRunOptions { UniverseEnd = parse.GetValue(_universe), DegreeOfParallelism = parse.GetValue(_parallel) };
        if (options.UniverseEnd is < 0 or > 1L << 32)
        {
            throw new UserException("--universe must be within [0, 4294967296]");
        }
        return options;
    }

    private enum OutputMode
    {
        Preview,
        Count,
        Values,
    }

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

    private sealed record AggregateReport(string Query, string Function, string? Value, List<GroupReport> Groups, double ElapsedMs);

    private sealed record GroupReport(IReadOnlyList<string> Rows, long Count);

    private sealed record ExplainReport(string Parsed, string Optimized, string Kernel, IReadOnlyList<string> KernelInputs, string Width,
        long UniverseEnd, bool UniverseGiven, string Path, double? PathElapsedMs, long? KeysVisited, long? KeysSkipped, long? KeysCopied, long? KeysDense, long? KeysSparse,
        long? ContainersExpanded, long? BytesRead, double ElapsedMs)
    {
        public static ExplainReport From(QueryExplanation e) => new(e.Parsed, e.Optimized, e.Shape, e.KernelInputs, e.Width.ToString(),
            e.UniverseEnd, e.UniverseGiven, e.Path, e.PathElapsed?.TotalMilliseconds, e.Statistics?.KeysVisited, e.Statistics?.KeysSkipped, e.Statistics?.KeysCopied,
            e.Statistics?.KeysDense, e.Statistics?.KeysSparse, e.Statistics?.ContainersExpanded, e.Statistics?.BytesRead,
            (e.Statistics?.Elapsed ?? e.PathElapsed.GetValueOrDefault()).TotalMilliseconds);
    }
}
