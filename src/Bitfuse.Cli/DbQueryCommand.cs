using System.CommandLine;

namespace Bitfuse.Cli;

/// <summary><c>bitfuse db query</c>: the options of <c>bitfuse query</c>, run over a snapshot of a database.</summary>
internal static class DbQueryCommand
{
    public static Command Create()
    {
        var arguments = new QueryArguments();
        var folder = DbCommand.Folder();
        var command = new Command("query", "Run a bitmap query over the last commit of a database (a snapshot; writers are not blocked).\n" + QueryArguments.Syntax)
        {
            folder,
        };
        arguments.AddTo(command);
        command.SetAction(parse =>
        {
            var run = arguments.Prepare(parse);
            using var db = DbCommand.Open(parse.GetValue(folder)!);
            using var snapshot = db.Snapshot();
            run(snapshot);
            return CommandLineRunner.ExitOk;
        });
        return command;
    }
}
