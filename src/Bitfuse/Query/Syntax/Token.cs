namespace Bitfuse.Query.Syntax;

/// <summary>One token: its kind, its 0-based column and, for names, the name (quotes removed).</summary>
internal readonly record struct Token(TokenKind Kind, int Column, string? Name = null);
