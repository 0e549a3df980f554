namespace Bitfuse.Server;

/// <summary>The body of <c>POST /query</c>.</summary>
public sealed record QueryRequest
{
    /// <summary>The query text, for example <c>country_us &amp; (ios | android) &amp; !churned</c>.</summary>
    public required string Query { get; init; }

    /// <summary><c>count</c> (the default), <c>values</c> (the count and the first <see cref="Limit"/> values) or <c>explain</c>.</summary>
    public string? Mode { get; init; }

    /// <summary>With <c>values</c>: how many values to return (default 100, at most the server's limit).</summary>
    public int? Limit { get; init; }

    /// <summary>The universe end: <c>!</c> and <c>$1</c> complement within [0, universe). Default: the largest input value + 1.</summary>
    public long? Universe { get; init; }
}
