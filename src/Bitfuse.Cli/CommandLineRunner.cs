using System.CommandLine;

namespace Bitfuse.Cli;

/// <summary>
/// Runs a parsed command line and turns failures into one-line errors and exit codes.
/// User mistakes never print a stack trace; set BITFUSE_DEBUG=1 to see one.
/// </summary>
internal static class CommandLineRunner
{
    public const int ExitOk = 0;
    public const int ExitFailure = 1;
    public const int ExitUsage = 2;

    public static int Run(RootCommand root, string[] args)
    {
        var parse = root.Parse(args);
        try
        {
            return parse.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (UserException e)
        {
            WriteError(e.Message);
            return e.ExitCode;
        }
        catch (Exception e) when (e is ArgumentException or FormatException or InvalidDataException or IOException
                                      or UnauthorizedAccessException or NotSupportedException or OperationCanceledException)
        {
            WriteError(e.Message);
            if (Environment.GetEnvironmentVariable("BITFUSE_DEBUG") == "1")
            {
                Console.Error.WriteLine(e);
            }
            return ExitFailure;
        }
    }

    /// <summary>Writes <c>error: message</c> to standard error, unwrapped (a long message stays one line per line it has).</summary>
    public static void WriteError(string message) => Console.Error.WriteLine("error: " + message);
}

/// <summary>A mistake of the user's (bad argument, missing file): printed as one line, no stack trace.</summary>
internal sealed class UserException(string message, int exitCode = CommandLineRunner.ExitUsage) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}
