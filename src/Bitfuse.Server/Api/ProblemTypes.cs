namespace Bitfuse.Server;

/// <summary>The <c>type</c> URIs of the server's problem+json answers (RFC 9457); docs/server.md describes each.</summary>
public static class ProblemTypes
{
    /// <summary>The query text does not parse or is over a query limit (400; <c>column</c> and <c>caret</c> say where).</summary>
    public const string QuerySyntax = "urn:bitfuse:problem:query-syntax";

    /// <summary>A query names a bitmap the database does not hold (404; <c>name</c> and <c>suggestions</c>).</summary>
    public const string UnknownBitmap = "urn:bitfuse:problem:unknown-bitmap";

    /// <summary>The JSON body is malformed (400; <c>line</c> and <c>bytePositionInLine</c>).</summary>
    public const string InvalidJson = "urn:bitfuse:problem:invalid-json";

    /// <summary>A field is missing or out of range, a name is invalid, a CSV line is malformed (400).</summary>
    public const string InvalidRequest = "urn:bitfuse:problem:invalid-request";

    /// <summary>A Roaring body is malformed (400; the detail names the byte offset).</summary>
    public const string InvalidBitmap = "urn:bitfuse:problem:invalid-bitmap";

    /// <summary>The body is over its size limit (413).</summary>
    public const string TooLarge = "urn:bitfuse:problem:too-large";

    /// <summary>A bearer token is needed or does not match (401).</summary>
    public const string Unauthorized = "urn:bitfuse:problem:unauthorized";

    /// <summary>The query ran past its time limit and was stopped (503).</summary>
    public const string QueryTimeout = "urn:bitfuse:problem:query-timeout";

    /// <summary>The server is shutting down or the database stopped after an I/O failure (503).</summary>
    public const string Unavailable = "urn:bitfuse:problem:unavailable";

    /// <summary>An unexpected failure (500; details are in the server's log).</summary>
    public const string Internal = "urn:bitfuse:problem:internal";
}
