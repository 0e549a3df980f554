namespace Bitfuse;

/// <summary>One row (TopN) or one combination of rows (group-by) and the exact number of filtered columns in it.</summary>
/// <param name="Rows">The row of each grouped field, in the order of the fields.</param>
/// <param name="Count">How many columns of the filter are in every one of the rows.</param>
public sealed record GroupCount(IReadOnlyList<string> Rows, long Count);
