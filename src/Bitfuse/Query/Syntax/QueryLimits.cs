namespace Bitfuse.Query.Syntax;

/// <summary>
/// Bounds on query text, checked while parsing so hostile input cannot exhaust the stack or memory.
/// Going over a limit raises a <see cref="QuerySyntaxException"/> that names the limit.
/// </summary>
public sealed record QueryLimits
{
    /// <summary>The defaults: generous for people, small enough to keep recursion and kernels bounded.</summary>
    public static QueryLimits Default { get; } = new();

    /// <summary>The longest query text, in characters. Default 1,000,000.</summary>
    public int MaxLength { get; init; } = 1_000_000;

    /// <summary>The deepest nesting of parentheses and nots. Default 256.</summary>
    public int MaxDepth { get; init; } = 256;

    /// <summary>The most distinct names in one query (each is one kernel input). Default 1,024.</summary>
    public int MaxNames { get; init; } = 1024;
}
