namespace Bitfuse;

/// <summary>How one aggregate runs: the filter's options and the paging of group-by.</summary>
public sealed record AggregateOptions
{
    /// <summary>The defaults: the filter's default options, every group.</summary>
    public static AggregateOptions Default { get; } = new();

    /// <summary>How the filter runs (universe, workers).</summary>
    public QueryRunOptions Run { get; init; } = QueryRunOptions.Default;

    /// <summary>group-by: the most groups to return; null for all.</summary>
    public int? Limit { get; init; }

    /// <summary>group-by: return only the groups after this one (the rows of the last group of the previous page), in key order.</summary>
    public IReadOnlyList<string>? After { get; init; }
}
