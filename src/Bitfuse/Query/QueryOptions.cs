using Bitfuse.Query.Compilation;
using Bitfuse.Query.Syntax;

namespace Bitfuse;

/// <summary>Settings of a <see cref="QueryEngine"/>.</summary>
public sealed record QueryOptions
{
    /// <summary>Bounds on query text (length, nesting, distinct names).</summary>
    public QueryLimits Limits { get; init; } = QueryLimits.Default;

    /// <summary>
    /// The vector width kernels compute with. <see cref="KernelWidth.Auto"/> takes the widest accelerated one;
    /// a narrower value forces that width (tests use it to run every path on any machine).
    /// </summary>
    public KernelWidth Width { get; init; } = KernelWidth.Auto;

    /// <summary>How many compiled queries the engine keeps by text before it starts over. Default 4,096.</summary>
    public int MaxCachedQueries { get; init; } = 4096;
}
