using System.CommandLine;

namespace Bitfuse.Cli;

/// <summary>
/// Runs a parsed command line and turns failures into one-line errors and exit codes, the same for every verb:
/// 0 success, 1 a failed operation (or a check that did not pass), 2 bad usage. Under <c>--json</c> an error
/// is a JSON object on standard output instead of a line on standard error. User mistakes never print a
/// stack trace; set BITFUSE_DEBUG=1 to see one.
/// </summary>
internal static class CommandLineRunner
{
    public const int ExitOk = 0;
    public const int ExitFailure = 1;
    public const int ExitUsage = 2;

    public static int Run(Command root, string[] args)
    {
        var json = args.Contains(JsonOutput.SwitchName, StringComparer.Ordinal);
        var parse = root.Parse(args);
        var verb = string.Join(' ', parse.CommandResult.Command.Parents.OfType<Command>().Reverse().Select(c => c.Name).Append(parse.CommandResult.Command.Name));
        if (UnknownOption(parse) is { } unknown)
        {
            return Fail($"unknown option '{unknown}' (see '{verb} --help')", ExitUsage, json);
        }
        if (parse.Errors.Count > 0)
        {
            return Fail(string.Join("; ", parse.Errors.Select(e => e.Message)) + $" (see '{verb} --help')", ExitUsage, json);
        }
        try
        {
            return parse.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (UserException e)
        {
            return Fail(e.Message, e.ExitCode, json);
        }
        catch (Exception e) when (e is QuerySyntaxException or UnknownBitmapException or Bitfuse.Fields.UnknownFieldException)
        {
            return Fail(e.Message, ExitUsage, json, e);
        }
        catch (Exception e) when (e is ArgumentException or FormatException or InvalidDataException or IOException
                                      or UnauthorizedAccessException or NotSupportedException or OperationCanceledException)
        {
            return Fail(e.Message, ExitFailure, json, e);
        }
        catch (Exception e)
        {
            return Fail($"internal error ({e.GetType().Name}): {e.Message}", ExitFailure, json, e);
        }
    }

    // A misspelled option (--generat) would otherwise bind to the verb's positional argument, as query text or a
    // file name, and fail later with a message about something else. No positional value of any verb starts with
    // "--" (query text cannot begin with an operator), so such a token is reported as the unknown option it is.
    private static string? UnknownOption(ParseResult parse)
    {
        foreach (var argument in parse.CommandResult.Children.OfType<System.CommandLine.Parsing.ArgumentResult>())
        {
            foreach (var token in argument.Tokens)
            {
                if (token.Value.StartsWith("--", StringComparison.Ordinal))
                {
                    return token.Value;
                }
            }
        }
        return null;
    }

    private static int Fail(string message, int exitCode, bool json, Exception? exception = null)
    {
        if (json)
        {
            JsonOutput.Write(new ErrorReport(new ErrorDetail(message, exitCode == ExitUsage ? "usage" : "failure", exitCode)));
        }
        else
        {
            WriteError(message);
        }
        if (exception is not null && Environment.GetEnvironmentVariable("BITFUSE_DEBUG") == "1")
        {
            Console.Error.WriteLine(exception);
        }
        return exitCode;
    }

    /// <summary>Writes <c>error: message</c> to standard error, unwrapped (a long message stays one line per line it has).</summary>
    public static void WriteError(string message) => Console.Error.WriteLine("error: " + message);

    private sealed record ErrorReport(ErrorDetail Error);

    private sealed record ErrorDetail(string Message, string Kind, int ExitCode);
}

/// <summary>A mistake of the user's (bad argument, missing file): printed as one line, no stack trace.</summary>
internal sealed class UserException(string message, int exitCode = CommandLineRunner.ExitUsage) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}
