using System.CommandLine;

namespace Bitfuse.Cli;

/// <summary><c>bitfuse query</c>: compile a query and run it over a data set or named bitmap files.</summary>
internal static class QueryCommand
{
    public static Command Create()
    {
        var arguments = new QueryArguments();
        var dataset = new Option<string?>("--dataset") { Description = "A folder with one .txt bitmap per file (comma-separated values), named after the file: name.csv12.txt is 'name.csv12'." };
        var bitmaps = new Option<string[]>("--bitmap") { Description = "NAME=FILE: a .txt bitmap or a Roaring portable file (.roaring, .bin). Repeat for each input." };
        var command = new Command("query", "Run a bitmap query, compiled at run time into a fused SIMD kernel.\n" + QueryArguments.Syntax)
        {
            dataset, bitmaps,
        };
        arguments.AddTo(command);
        command.SetAction(parse =>
        {
            var folder = parse.GetValue(dataset);
            var files = parse.GetValue(bitmaps) ?? [];
            if (folder is null == (files.Length == 0))
            {
                throw new UserException("give either --dataset DIR or one or more --bitmap NAME=FILE");
            }
            var run = arguments.Prepare(parse);
            using var inputs = folder is not null ? QueryInputs.FromDataSet(folder) : QueryInputs.FromFiles(files);
            run(inputs);
            return CommandLineRunner.ExitOk;
        });
        return command;
    }

    /// <summary>Compiles <paramref name="text"/>; a syntax error reaches the runner as a usage error with its caret.</summary>
    public static CompiledQuery Compile(string text, QueryEngine? engine = null) => (engine ?? new QueryEngine()).Compile(text);
}
