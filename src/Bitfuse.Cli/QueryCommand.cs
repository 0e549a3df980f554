using System.CommandLine;
using Bitfuse.Fields;

namespace Bitfuse.Cli;

/// <summary>
/// <c>bitfuse query</c>: compile a query (or an aggregate) and run it over a data set, named bitmap files, a CSV
/// table with typed columns, or a generated table.
/// </summary>
internal static class QueryCommand
{
    public static Command Create()
    {
        var arguments = new QueryArguments();
        var columnTypes = new ColumnTypeOptions();
        var dataset = new Option<string?>("--dataset") { Description = "A folder with one .txt bitmap per file (comma-separated values), named after the file: name.csv12.txt is 'name.csv12'." };
        var bitmaps = new Option<string[]>("--bitmap") { Description = "NAME=FILE: a .txt bitmap or a Roaring portable file (.roaring, .bin). Repeat for each input." };
        var csv = new Option<string?>("--csv") { Description = "A CSV table (header first) imported into typed fields: one row per column id 0, 1, 2, ..." };
        var generate = new Option<int?>("--generate") { Description = "Generate a table of N rows in memory: city (set), country, os (mutex), churned (bool), age, income, sessions (int)." };
        var command = new Command("query", "Run a bitmap query, compiled at run time into a fused SIMD kernel.\n" + QueryArguments.Syntax)
        {
            dataset, bitmaps, csv, generate,
        };
        columnTypes.AddTo(command);
        arguments.AddTo(command);
        command.SetAction(parse =>
        {
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
            var run = arguments.Prepare(parse);
            if (table is not null || rows is not null)
            {
                var columns = columnTypes.Columns(parse);
                using var fields = table is not null ? FieldInputs.FromCsv(table, columns) : TableGenerator.Build(rows!.Value);
                run(fields.Bitmaps);
                return CommandLineRunner.ExitOk;
            }
            using var inputs = folder is not null ? QueryInputs.FromDataSet(folder) : QueryInputs.FromFiles(files);
            run(inputs);
            return CommandLineRunner.ExitOk;
        });
        return command;
    }

    /// <summary>Compiles <paramref name="text"/>; a syntax error reaches the runner as a usage error with its caret.</summary>
    public static CompiledQuery Compile(string text, QueryEngine? engine = null) => (engine ?? new QueryEngine()).Compile(text);
}
