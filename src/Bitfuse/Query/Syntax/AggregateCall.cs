namespace Bitfuse.Query.Syntax;

/// <summary>A parsed aggregate: the function, its field arguments, the row count of <c>topn</c> and the filter.</summary>
/// <param name="Function">Which aggregate.</param>
/// <param name="Fields">The field arguments (none for count; one for sum, min, max, topn; two or more for groupby).</param>
/// <param name="Limit">The row count of <c>topn</c>; 0 for the others.</param>
/// <param name="Filter">The filter tree; null when <c>topn</c> has none (every column counts).</param>
/// <param name="FilterColumn">The column where the filter starts in the text.</param>
/// <param name="Names">The bitmap names of the filter.</param>
/// <param name="Comparisons">The int fields the filter compares.</param>
internal sealed record AggregateCall(
    AggregateFunction Function,
    IReadOnlyList<FieldReference> Fields,
    int Limit,
    Expr? Filter,
    int FilterColumn,
    IReadOnlyList<string> Names,
    IReadOnlyList<FieldReference> Comparisons)
{
    /// <summary>The function a call name stands for (<c>count</c>, <c>sum</c>, <c>min</c>, <c>max</c>, <c>topn</c>, <c>groupby</c>), or null.</summary>
    public static AggregateFunction? FunctionOf(string name) => name switch
    {
        "count" => AggregateFunction.Count,
        "sum" => AggregateFunction.Sum,
        "min" => AggregateFunction.Min,
        "max" => AggregateFunction.Max,
        "topn" => AggregateFunction.TopN,
        "groupby" => AggregateFunction.GroupBy,
        _ => null,
    };
}
