namespace Bitfuse.Server;

/// <summary>The body of <c>POST /commit</c>: operations applied all at once, in order, or not at all.</summary>
public sealed record CommitRequest
{
    /// <summary>The operations, in order.</summary>
    public required IReadOnlyList<CommitOperation> Operations { get; init; }
}

/// <summary>One change of a commit.</summary>
public sealed record CommitOperation
{
    /// <summary><c>add</c>, <c>remove</c>, <c>set</c> (replace the bitmap by exactly these values) or <c>delete</c> (the name goes).</summary>
    public required string Op { get; init; }

    /// <summary>The bitmap's name.</summary>
    public required string Name { get; init; }

    /// <summary>The values (for add, remove and set; absent for delete).</summary>
    public IReadOnlyList<uint>? Values { get; init; }
}

/// <summary>The answer of a write: sent once the change is durable.</summary>
/// <param name="Operations">Operations committed.</param>
/// <param name="Lsn">The last acknowledged commit when this one returned (this one or a later one).</param>
public sealed record CommitResponse(int Operations, long Lsn);
