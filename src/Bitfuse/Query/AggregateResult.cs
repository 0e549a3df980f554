using Bitfuse.Query.Syntax;

namespace Bitfuse;

/// <summary>The answer of an aggregate: a number (count, sum, min, max) or rows with counts (topn, groupby).</summary>
/// <param name="Function">Which aggregate ran.</param>
/// <param name="Value">count and sum: the number; min and max: the value, or null when no filtered column has one; null for topn and groupby.</param>
/// <param name="Groups">topn: the rows by count, largest first (ties by row name); groupby: the non-empty combinations in key order; empty for the others.</param>
public sealed record AggregateResult(AggregateFunction Function, Int128? Value, IReadOnlyList<GroupCount> Groups);
