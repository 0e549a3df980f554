using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Bitfuse.Fields;
using Bitfuse.Query.Execution;
using Bitfuse.Query.Syntax;

namespace Bitfuse.Cli;

/// <summary><c>bitfuse query</c>: compile a query and run it over a data set or named bitmap files.</summary>
internal static class QueryCommand
{
    private const string Syntax = """
        Operators, tightest first: ! or ~ (not), & (and), - (and-not: a - b = a & !b), ^ (xor), | (or); parentheses group.
        Names: letters, digits, _, and . : - inside a name that starts with a letter or _ ("a-b" is one name, "a - b" is and-not);
        any other text in double quotes. $0 is the empty set, $1 the universe [0, largest value + 1) unless --universe is given.
        Fields (--csv or --generate): rows of set/mutex fields are field:row, os:(ios | android) groups rows; int fields
        compare: age >= 30, 10 <= age < 20, age = 7, age != null. Aggregates: count(f), sum(age, f), min(age, f),
        max(age, f), topn(city, 10, f), groupby(os, country, f).
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
        var workers = new Option<int>("--workers") { Description = "Dedicated worker threads over key ranges (default 1); with --cpus they are pinned.", DefaultValueFactory = _ => 1 };
        var cpus = new Option<string?>("--cpus") { Description = "CPU list for the workers (0-3,6): worker i is pinned to the i-th CPU, round-robin." };
        var csv = new Option<string?>("--csv") { Description = "A CSV table (header first) imported into typed fields: one row per column id 0, 1, 2, ..." };
        var ints = new Option<string[]>("--int") { Description = "A CSV column that is an int field (bit-sliced). Repeat for each." };
        var sets = new Option<string[]>("--set") { Description = "A CSV column that is a set field (rows split by '|'). Repeat for each." };
        var mutexes = new Option<string[]>("--mutex") { Description = "A CSV column that is a mutex field (one row per column). Repeat for each." };
        var bools = new Option<string[]>("--bool") { Description = "A CSV column that is a bool field (true/false). Repeat for each." };
        var generate = new Option<int?>("--generate") { Description = "Generate a table of N rows in memory: city (set), country, os (mutex), churned (bool), age, income, sessions (int)." };
        var groupLimit = new Option<int?>("--groups") { Description = "groupby: return at most N groups." };
        var after = new Option<string?>("--after") { Description = "groupby: return the groups after this one (its rows joined by ',', as printed last on the previous page)." };
        var command = new Command("query", "Run a bitmap query, compiled at run time into a fused SIMD kernel.\n" + Syntax)
        {
            expression, dataset, bitmaps, count, values, limit, explain, universe, parallel, json, workers, cpus, csv, ints, sets, mutexes, bools, generate, groupLimit, after,
        };
        command.SetAction(parse =>
        {
            var text = parse.GetValue(expression)!;
            var folder = parse.GetValue(dataset);
            var files = parse.GetValue(bitmaps) ?? [];
            var table = parse.GetValue(csv);
            var rows = parse.GetValue(generate);
            if ((folder is null ? 0 : 1) + (files.Length == 0 ? 0 : 1) + (table is null ? 0 : 1) + (rows is null ? 0 : 1) != 1)
            {
                throw new UserException("give one of --dataset DIR, --bitmap NAME=FILE (repeated), --csv FILE with typed columns, or --generate ROWS");
            }
            if (rows is < 0)
            {
                throw new UserException("--generate must be 0 or more");
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
            using var pool = FieldInputs.Pool(parse.GetValue(workers), parse.GetValue(cpus));
            var options = new QueryRunOptions { UniverseEnd = parse.GetValue(universe), DegreeOfParallelism = parse.GetValue(parallel), Workers = pool };
            if (options.UniverseEnd is < 0 or > 1L << 32)
            {
                throw new UserException("--universe must be within [0, 4294967296]");
            }
            if (table is not null || rows is not null)
            {
                var columns = FieldInputs.Columns(parse.GetValue(ints) ?? [], parse.GetValue(sets) ?? [], parse.GetValue(mutexes) ?? [], parse.GetValue(bools) ?? []);
                using var fields = table is not null ? FieldInputs.FromCsv(table, columns) : TableGenerator.Build(rows!.Value);
                if (Parser.IsAggregate(text))
                {
                    var aggregateOptions = new AggregateOptions { Run = options, Limit = parse.GetValue(groupLimit), After = parse.GetValue(after)?.Split(',') };
                    RunAggregate(text, fields.Bitmaps, aggregateOptions, parse.GetValue(json));
                    return CommandLineRunner.ExitOk;
                }
                Run(Compile(text), fields.Bitmaps, options, parse.GetValue(count), parse.GetValue(values), parse.GetValue(limit), parse.GetValue(explain), parse.GetValue(json));
                return CommandLineRunner.ExitOk;
            }
            var query = Compile(text);
            using var inputs = folder is not null ? QueryInputs.FromDataSet(folder) : QueryInputs.FromFiles(files);
            Run(query, inputs.Set, options, parse.GetValue(count), parse.GetValue(values), parse.GetValue(limit), parse.GetValue(explain), parse.GetValue(json));
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

    private static void RunAggregate(string text, BitmapSet inputs, AggregateOptions options, bool json)
    {
        AggregateQuery query;
        try
        {
            query = new QueryEngine().CompileAggregate(text);
        }
        catch (QuerySyntaxException e)
        {
            throw new UserException(e.Message);
        }
        try
        {
            var started = Stopwatch.GetTimestamp();
            var result = query.Run(inputs, options);
            var elapsed = Stopwatch.GetElapsedTime(started);
            if (json)
            {
                JsonOutput.Write(new AggregateReport(text, result.Function.ToString(), result.Value?.ToString(CultureInfo.InvariantCulture),
                    result.Groups.Select(g => new GroupReport(g.Rows, g.Count)).ToList(), elapsed.TotalMilliseconds));
                return;
            }
            foreach (var group in result.Groups)
            {
                Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{string.Join(",", group.Rows)}\t{group.Count}"));
            }
            var value = result.Groups.Count > 0 ? $"{result.Groups.Count} groups" : result.Value?.ToString(CultureInfo.InvariantCulture) ?? "null (no value)";
            Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{result.Function}: {value} in {elapsed.TotalMilliseconds:F3} ms"));
        }
        catch (Exception e) when (e is UnknownBitmapException or UnknownFieldException or InvalidDataException)
        {
            throw new UserException(e.Message);
        }
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
        catch (Exception e) when (e is UnknownBitmapException or UnknownFieldException or InvalidDataException)
        {
            throw new UserException(e.Message);
        }
    }

    private static string PreviewText(List<uint> shown, long count) =>
        shown.Count == 0 ? "" : $": {string.Join(", ", shown)}{(count > shown.Count ? ", ..." : "")}";

    private sealed record AggregateReport(string Query, string Function, string? Value, List<GroupReport> Groups, double ElapsedMs);

    private sealed record GroupReport(IReadOnlyList<string> Rows, long Count);

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
