using System.Text;

namespace Bitfuse;

/// <summary>
/// A query text that does not parse, or that goes over a <see cref="Query.Syntax.QueryLimits"/> limit.
/// The message names the 0-based column and what was expected there, followed by the query and a caret
/// line pointing at the column.
/// </summary>
public sealed class QuerySyntaxException : Exception
{
    /// <summary>Creates the exception for <paramref name="query"/> with a caret under <paramref name="column"/>.</summary>
    /// <param name="reason">What is wrong, for example "unexpected ')'".</param>
    /// <param name="query">The whole query text.</param>
    /// <param name="column">The 0-based column of the error (may equal the text length: end of input).</param>
    /// <param name="expected">What the parser expected there, or null when nothing in particular was.</param>
    public QuerySyntaxException(string reason, string query, int column, string? expected)
        : base(Format(reason, query, column, expected))
    {
        Reason = reason;
        Query = query;
        Column = column;
        Expected = expected;
    }

    /// <summary>Creates an exception with a plain message (no position).</summary>
    public QuerySyntaxException()
        : this("invalid query", "", 0, null)
    {
    }

    /// <summary>Creates an exception with a plain message (no position).</summary>
    public QuerySyntaxException(string message)
        : this(message, "", 0, null)
    {
    }

    /// <summary>Creates an exception with a plain message and an inner exception.</summary>
    public QuerySyntaxException(string message, Exception innerException)
        : base(message, innerException)
    {
        Reason = message;
        Query = "";
    }

    /// <summary>What is wrong, without the position.</summary>
    public string Reason { get; } = "";

    /// <summary>The query text.</summary>
    public string Query { get; } = "";

    /// <summary>The 0-based column of the error.</summary>
    public int Column { get; }

    /// <summary>The expected token, or null.</summary>
    public string? Expected { get; }

    /// <summary>The query line and a caret line under <see cref="Column"/>, for rendering.</summary>
    public string CaretLines => CaretText(Query, Column);

    private static string Format(string reason, string query, int column, string? expected)
    {
        var text = new StringBuilder();
        text.Append(reason);
        if (expected is not null)
        {
            text.Append(", expected ").Append(expected);
        }
        text.Append(" at column ").Append(column).Append('\n');
        text.Append(CaretText(query, column));
        return text.ToString();
    }

    internal static string CaretText(string query, int column)
    {
        // Long queries are cut to a window around the column so the caret stays readable.
        const int Window = 60;
        var start = Math.Max(0, column - Window);
        var end = Math.Min(query.Length, column + Window);
        var prefix = start > 0 ? "..." : "";
        var suffix = end < query.Length ? "..." : "";
        var line = new StringBuilder();
        foreach (var c in query.AsSpan(start, end - start))
        {
            line.Append(char.IsControl(c) ? ' ' : c);
        }
        return "  " + prefix + line + suffix + "\n  " + new string(' ', prefix.Length + column - start) + "^";
    }
}
