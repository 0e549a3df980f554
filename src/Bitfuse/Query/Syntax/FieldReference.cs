namespace Bitfuse.Query.Syntax;

/// <summary>A field named in query text, with the 0-based column of its first mention (for error carets).</summary>
/// <param name="Name">The field name.</param>
/// <param name="Column">Where the query first names it.</param>
internal sealed record FieldReference(string Name, int Column);
