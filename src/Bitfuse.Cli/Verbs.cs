using System.CommandLine;

namespace Bitfuse.Cli;

/// <summary>The verbs of the <c>bitfuse</c> command, one file each.</summary>
internal static class Verbs
{
    public static IEnumerable<Command> All()
    {
        yield return InfoCommand.Create();
        yield return IsolationCommand.Create();
        yield return QueryCommand.Create();
        yield return DemoCommand.Create();
        yield return ServeCommand.Create();
    }
}
