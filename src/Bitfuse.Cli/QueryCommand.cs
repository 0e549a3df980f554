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
        var expression = new Argument<string>("expression") { Description = "The query, for example \"(c10 | c11) & !c12\"." };
        var dataset = new Option<string?>("--dataset") { Description = "A folder with one .txt bitmap per file (comma-separated values); file name.csv12.txt is 'name.csv12' and 'c12'." };
        var bitmaps = new Option<string[]>("--bitmap") { Description = "NAME=FILE: a .txt bitmap or a Roaring portable file (.roaring, .bin). Repeat for each input." };
        var count = new Option<bool>("--count") { Description = "Print only the count (nothing is materialised)." };
        var values = new Option<bool>("--values") { Description = "Print the answer's values, ascending." };
        var limit = new Option<int?>("--limit") { Description = "With --values: print at most N values." };
        var explain = new Option<bool>("--explain") { Description = "Show the parsed and optimized trees, the kernel, the universe and per-key statistics." };
        var universe = new Option<long?>("--universe") { Description = "The universe end N: ! and $1 complement within [0, N)." };
        var parallel = new Option<int>("--parallel") { Description = "Worker threads over key ranges (default 1).", DefaultValueFactory = _ => 1 };
        var json = new Option<bool>("--json") { Description = "Print the result as JSON." };
        var command = new Command("query", "Run a bitmap query, compiled at run time into a fused SIMD kernel.\n" + Syntax)
        {
            expression, dataset, bitmaps, count, values, limit, explain, universe, parallel, json,
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
            Run(query, inputs, options, parse.GetValue(count), parse.GetValue(values), parse.GetValue(limit), parse.GetValue(explain), parse.GetValue(json));
            return CommandLineRunner.ExitOk;
        });
        return command;
    }

    /// <summary>Compiles <paramref name="text"/>, turning a syntax error into a user error with its caret.</summary>
    public static CompiledQuery Compile(string text, QueryEngine? engine = null)
    {
        try
        {
            return (engine ?? new QueryEngine()).Compile(text);
        }
        catch (QuerySyntaxException e)
        {
            throw new UserException(e.Message);
        }
    }

    private static void Run(CompiledQuery query, QueryInputs inputs, QueryRunOptions options, bool countOnly, bool listValues, int? limit, bool explain, bool json)
    {
        try
        {
            QueryExplanation? explanation = explain ? query.Explain(inputs.Set, options) : null;
            var started = Stopwatch.GetTimestamp();
            long count;
            List<uint>? shown = null;
            var preview = 10;
            if (countOnly)
            {
                count = explanation?.Count ?? query.Count(inputs.Set, options);
            }
            else if (listValues)
            {
                shown = [];
                var max = limit ?? int.MaxValue;
                count = 0;
                query.ForEach(inputs.Set, v =>
                {
                    if (count++ < max)
                    {
                        shown.Add(v);
                    }
                }, options);
            }
            else
            {
                using var result = query.Evaluate(inputs.Set, options);
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
