using System.CommandLine;
using System.CommandLine.Help;

namespace Bitfuse.Cli;

/// <summary>The verbs of the <c>bitfuse</c> command, one file each.</summary>
internal static class Verbs
{
    /// <summary>
    /// The root command. It is named <c>bitfuse</c> explicitly: a <see cref="RootCommand"/> takes its name from
    /// the entry assembly, which would make the tool's usage line say <c>Bitfuse.Cli</c>.
    /// </summary>
    public static Command Root()
    {
        var root = new Command("bitfuse", "Bitfuse: Roaring bitmaps, run-time compiled bitmap queries, a persistent bitmap database and its HTTP server, and CPU isolation tools.")
        {
            new HelpOption(),
            new VersionOption(),
        };
        foreach (var command in All())
        {
            root.Subcommands.Add(command);
        }
        return root;
    }

    public static IEnumerable<Command> All()
    {
        yield return InfoCommand.Create();
        yield return IsolationCommand.Create();
        yield return QueryCommand.Create();
        yield return DemoCommand.Create();
        yield return DbCommand.Create();
        yield return ServeCommand.Create();
    }
}
