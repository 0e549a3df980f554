using Bitfuse.Query.Syntax;

namespace Bitfuse.Fields;

/// <summary>
/// A query names a field that the bitmaps it runs over do not hold, or holds as another kind. The message
/// names the field, shows the query with a caret under the field's first mention and suggests the closest known fields.
/// </summary>
public sealed class UnknownFieldException : KeyNotFoundException
{
    /// <summary>Creates the exception for <paramref name="field"/> of <paramref name="query"/>.</summary>
    /// <param name="field">The field and where the query names it.</param>
    /// <param name="kind">What the query needs the field to be ("int field", "set field").</param>
    /// <param name="query">The query text.</param>
    /// <param name="suggestions">Known fields of that kind close to the name.</param>
    internal UnknownFieldException(FieldReference field, string kind, string query, IReadOnlyList<string> suggestions)
        : base(Format(field, kind, query, suggestions))
    {
        ArgumentNullException.ThrowIfNull(field);
        Field = field.Name;
        Column = field.Column;
        Suggestions = suggestions;
    }

    /// <summary>Creates the exception with a plain message.</summary>
    public UnknownFieldException()
        : this("unknown field")
    {
    }

    /// <summary>Creates the exception with a plain message.</summary>
    public UnknownFieldException(string message)
        : base(message)
    {
        Field = "";
        Suggestions = [];
    }

    /// <summary>Creates the exception with a plain message and an inner exception.</summary>
    public UnknownFieldException(string message, Exception innerException)
        : base(message, innerException)
    {
        Field = "";
        Suggestions = [];
    }

    /// <summary>The unknown field.</summary>
    public string Field { get; }

    /// <summary>The 0-based column where the query names it.</summary>
    public int Column { get; }

    /// <summary>Known fields close to <see cref="Field"/>, closest first.</summary>
    public IReadOnlyList<string> Suggestions { get; }

    private static string Format(FieldReference field, string kind, string query, IReadOnlyList<string> suggestions)
    {
        ArgumentNullException.ThrowIfNull(field);
        var hint = suggestions.Count == 0 ? "" : $"; did you mean {string.Join(", ", suggestions.Select(s => $"'{s}'"))}?";
        return $"unknown {kind} '{field.Name}' at column {field.Column}{hint}\n{QuerySyntaxException.CaretText(query, field.Column)}";
    }
}
