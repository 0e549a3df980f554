using System.CommandLine;

namespace Bitfuse.Cli;

/// <summary><c>bitfuse isolation</c>: audit CPU isolation, measure noise, prepare the machine.</summary>
internal static class IsolationCommand
{
    public static Command Create() => new("isolation", "Audit this machine's CPU isolation, measure the noise a pinned thread sees, and prepare CPUs.")
    {
        IsolationAuditCommand.Create(),
        IsolationNoiseCommand.Create(),
        IsolationPrepareCommand.Create(),
        IsolationUndoCommand.Create(),
    };
}
