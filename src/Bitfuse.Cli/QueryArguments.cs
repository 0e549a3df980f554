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
        """;

    private readonly Argument<string> _expression = new("expression") { Description = "The query, for example \"(c10 | c11) & !c12\"." };
    private readonly Option<bool> _count = new("--count") { Description = "Print only the count (nothing is materialised)." };
    private readonly Option<bool> _values = new("--values") { Description = "Print the answer's values, ascending." };
    private readonly Option<int?> _limit = new("--limit") { Description = "With --values: print at most N values." };
    private readonly Option<bool> _explain = new("--explain") { Description = "Show the parsed and optimized trees, the kernel, the universe and per-key statistics." };
    private readonly Option<long?> _universe = new("--universe") { Description = "The universe end N: ! and $1 complement within [0, N)." };
    private readonly Option<int> _parallel = new("--parallel") { Description = "Worker threads over key ranges (default 1).", DefaultValueFactory = _ => 1 };
    private readonly Option<bool> _json = new("--json") { Description = "Print the result as JSON." };

    /// <summary>Adds the expression argument and the query options to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        command.Arguments.Add(_expression);
        foreach (Option option in new Option[] { _count, _values, _limit, _explain, _universe, _parallel, _json })
        {
            command.Options.Add(option);
        }
    }

    /// <summary>Checks the options and compiles the query (before any input is loaded); the result runs it over inputs.</summary>
    public Action<BitmapSet> Prepare(ParseResult parse)
    {
        var countOnly = parse.GetValue(_count);
        var listValues = parse.GetValue(_values);
        var limit = parse.GetValue(_limit);
        if (countOnly && listValues)
        {
            throw new UserException("--count and --values exclude each other");
        }
        if (limit is < 0)
        {
            throw new UserException("--limit must be 0 or more");
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
        var query = QueryCommand.Compile(parse.GetValue(_expression)!);
        var explain = parse.GetValue(_explain);
        var json = parse.GetValue(_json);
        return inputs => Run(query, inputs, options, countOnly, listValues, limit, explain, json);
    }

    private static void Run(CompiledQuery query, BitmapSet inputs, QueryRunOptions options, bool countOnly, bool listValues, int? limit, bool explain, bool json)
    {
        try
        {
            QueryExplanation? explanation = explain ? query.Explain(inputs, options) : null;
            var started = Stopwatch.GetTimestamp();
            long count;
            List<uint>? shown = null;
            var preview = 10;
            if (countOnly)
            {
                count = explanation?.Count ?? query.Count(inputs, options);
            }
            else if (listValues)
            {
                shown = [];
                var max = limit ?? int.MaxValue;
                count = 0;
                query.ForEach(inputs, v =>
                {
                    if (count++ < max)
                    {
                        shown.Add(v);
                    }
                }, options);
            }
            else
            {
                using var result = query.Evaluate(inputs, options);
                count = result.Count;
                shown = [];
                foreach (var v in result)
                {
                    if (shown.Count == preview)
                    {
                        break;
                    }
                    shown.Add(v);
                }
            }
            var elapsed = Stopwatch.GetElapsedTime(started);
            if (json)
            {
                JsonOutput.Write(new QueryReport(query.Text, query.Optimized.ToString(), count, elapsed.TotalMilliseconds,
                    listValues ? shown : null, explanation is null ? null : ExplainReport.From(explanation)));
                return;
            }
            if (explanation is not null)
            {
                Console.Out.WriteLine(explanation.ToString());
            }
            if (listValues)
            {
                foreach (var v in shown!)
                {
                    Console.Out.WriteLine(v.ToString(CultureInfo.InvariantCulture));
                }
                if (limit is int max && count > max)
                {
                    Console.Error.WriteLine($"... {count - max} more (limit {max})");
                }
            }
            var what = countOnly || listValues ? "" : PreviewText(shown!, count);
            Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{count} values in {elapsed.TotalMilliseconds:F3} ms{what}"));
        }
        catch (UnknownBitmapException e)
        {
            throw new UserException(e.Message);
        }
    }

    private static string PreviewText(List<uint> shown, long count) =>
        shown.Count == 0 ? "" : $": {string.Join(", ", shown)}{(count > shown.Count ? ", ..." : "")}";

    private sealed record QueryReport(string Query, string Optimized, long Count, double ElapsedMs, List<uint>? Values, ExplainReport? Explain);

    private sealed record ExplainReport(string Parsed, string Optimized, string Kernel, IReadOnlyList<string> KernelInputs, string Width,
        long UniverseEnd, bool UniverseGiven, string Path, double? PathElapsedMs, long KeysVisited, long KeysSkipped, long KeysCopied, long KeysDense, long KeysSparse,
        long ContainersExpanded, long BytesRead, double ElapsedMs)
    {
        public static ExplainReport From(QueryExplanation e) => new(e.Parsed, e.Optimized, e.Shape, e.KernelInputs, e.Width.ToString(),
            e.UniverseEnd, e.UniverseGiven, e.Path, e.PathElapsed?.TotalMilliseconds, e.Statistics.KeysVisited, e.Statistics.KeysSkipped, e.Statistics.KeysCopied, e.Statistics.KeysDense,
            e.Statistics.KeysSparse, e.Statistics.ContainersExpanded, e.Statistics.BytesRead, e.Statistics.Elapsed.TotalMilliseconds);
    }
}
