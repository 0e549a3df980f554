using Spectre.Console;

namespace Bitfuse.Cli;

/// <summary>The console the isolation verbs render to: the current standard output, wide when it is not a terminal.</summary>
internal static class IsolationConsole
{
    public static IAnsiConsole Create()
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Out) });
        if (Console.IsOutputRedirected)
        {
            console.Profile.Width = 160;
        }
        return console;
    }
}
