namespace Bitfuse.Server;

/// <summary>The answer of <c>POST /query</c>.</summary>
public sealed record QueryResponse
{
    /// <summary>The mode that ran.</summary>
    public required string Mode { get; init; }

    /// <summary>The number of values in the answer.</summary>
    public required long Count { get; init; }

    /// <summary>The last commit the answer includes.</summary>
    public required long Lsn { get; init; }

    /// <summary>Server-side time from the query's arrival to its answer, in milliseconds.</summary>
    public required double ElapsedMs { get; init; }

    /// <summary>With <c>values</c>: the first values, ascending.</summary>
    public IReadOnlyList<uint>? Values { get; init; }

    /// <summary>With <c>values</c>: true when the answer holds more values than were returned.</summary>
    public bool? Truncated { get; init; }

    /// <summary>With <c>explain</c>: the trees, the kernel, the path and what the run did.</summary>
    public QueryExplain? Explain { get; init; }
}

/// <summary>What <c>explain</c> reports.</summary>
public sealed record QueryExplain
{
    /// <summary>The tree as parsed.</summary>
    public required ExprNode Parsed { get; init; }

    /// <summary>The tree after optimization.</summary>
    public required ExprNode Optimized { get; init; }

    /// <summary>The optimized tree printed as query text.</summary>
    public required string OptimizedText { get; init; }

    /// <summary>The kernel shape with positional inputs.</summary>
    public required string Shape { get; init; }

    /// <summary>The bitmap read by each kernel input, by position.</summary>
    public required IReadOnlyList<string> KernelInputs { get; init; }

    /// <summary>The kernel's vector width.</summary>
    public required string Width { get; init; }

    /// <summary>The path <c>count</c> takes: a direct form or the per-key planner.</summary>
    public required string Path { get; init; }

    /// <summary>The universe end.</summary>
    public required long UniverseEnd { get; init; }

    /// <summary>
    /// Keys visited, skipped, copied, run dense and run sparse, containers expanded, bytes read; absent when the
    /// path was a direct form, which keeps no key statistics.
    /// </summary>
    public IReadOnlyDictionary<string, long>? Keys { get; init; }

    /// <summary>The engine's own multi-line report.</summary>
    public required string Text { get; init; }
}

/// <summary>One node of a query tree.</summary>
/// <param name="Kind">empty, universe, variable, not, and, or, xor.</param>
/// <param name="Name">The bitmap name of a variable.</param>
/// <param name="Operands">The operands of not, and, or, xor.</param>
public sealed record ExprNode(string Kind, string? Name, IReadOnlyList<ExprNode>? Operands)
{
    /// <summary>The node for <paramref name="expr"/> and its subtree.</summary>
    public static ExprNode From(Query.Syntax.Expr expr)
    {
        ArgumentNullException.ThrowIfNull(expr);
        ExprNode[]? operands = null;
        if (expr.Operands.Count > 0)
        {
            operands = new ExprNode[expr.Operands.Count];
            for (var i = 0; i < operands.Length; i++)
            {
                operands[i] = From(expr.Operands[i]);
            }
        }
        return new ExprNode(expr.Kind.ToString().ToLowerInvariant(), expr.Name, operands);
    }
}
