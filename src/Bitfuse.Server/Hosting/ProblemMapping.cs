using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging;

namespace Bitfuse.Server.Hosting;

/// <summary>
/// Turns every exception a request ends with into an RFC 9457 problem+json answer: the project's few exception
/// types map to a status and a problem type with the facts a client needs (the column and caret of a syntax
/// error, the names closest to an unknown one, the line of bad JSON); anything else is a 500 without internals.
/// </summary>
internal sealed partial class ProblemMapping(IProblemDetailsService problems, ILogger<ProblemMapping> log) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var problem = Describe(exception);
        if (problem.Status == StatusCodes.Status500InternalServerError)
        {
            Failed(log, httpContext.Request.Path, exception);
        }
        httpContext.Response.StatusCode = problem.Status!.Value;
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = httpContext, ProblemDetails = problem, Exception = exception });
    }

    /// <summary>The problem object for <paramref name="exception"/>.</summary>
    public static ProblemDetails Describe(Exception exception)
    {
        switch (exception)
        {
            case RequestRejectedException e:
                return Problem(e.StatusCode, e.ProblemType, e.Title, e.Message, e.Extensions);
            case QuerySyntaxException e:
                return Problem(400, ProblemTypes.QuerySyntax, "The query does not parse", e.Message, new Dictionary<string, object?>
                {
                    ["reason"] = e.Reason,
                    ["expected"] = e.Expected,
                    ["column"] = e.Column,
                    ["caret"] = e.CaretLines,
                });
            case UnknownBitmapException e:
                return Problem(404, ProblemTypes.UnknownBitmap, "No bitmap has that name", e.Message, new Dictionary<string, object?>
                {
                    ["name"] = e.Name,
                    ["suggestions"] = e.Suggestions,
                });
            case JsonException e:
                return Problem(400, ProblemTypes.InvalidJson, "The JSON body is malformed",
                    e.LineNumber is { } line ? $"{FirstSentence(e.Message)} (line {line + 1}, byte {e.BytePositionInLine + 1})" : FirstSentence(e.Message),
                    new Dictionary<string, object?> { ["line"] = e.LineNumber + 1, ["bytePositionInLine"] = e.BytePositionInLine + 1 });
            case InvalidDataException e:
                return Problem(400, ProblemTypes.InvalidBitmap, "The bitmap is malformed", e.Message);
            case BadHttpRequestException { StatusCode: 413 } e:
                return Problem(413, ProblemTypes.TooLarge, "The body is too large", e.Message);
            case BadHttpRequestException e:
                return Problem(e.StatusCode, ProblemTypes.InvalidRequest, "The request is malformed", e.Message);
            case ArgumentException e:
                return Problem(400, ProblemTypes.InvalidRequest, "The request is invalid", e.Message);
            case DatabaseFailedException e:
                return Problem(503, ProblemTypes.Unavailable, "The database stopped after an I/O failure", e.Message);
            case ObjectDisposedException:
            case OperationCanceledException:
                return Problem(503, ProblemTypes.Unavailable, "The server is shutting down", "the request was stopped because the server is shutting down or the client went away");
            default:
                return Problem(500, ProblemTypes.Internal, "The server failed", "an unexpected error occurred; the server's log has the details");
        }
    }

    private static ProblemDetails Problem(int status, string type, string title, string detail, IReadOnlyDictionary<string, object?>? extensions = null)
    {
        var problem = new ProblemDetails { Status = status, Type = type, Title = title, Detail = detail };
        if (extensions is not null)
        {
            foreach (var (key, value) in extensions)
            {
                problem.Extensions[key] = value;
            }
        }
        return problem;
    }

    // System.Text.Json appends the path and position to its messages; the problem carries them as members.
    private static string FirstSentence(string message)
    {
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        return cut > 0 ? message[..cut] : message;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "request {Path} failed")]
    private static partial void Failed(ILogger logger, string path, Exception exception);
}
