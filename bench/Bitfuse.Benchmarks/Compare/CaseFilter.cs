namespace Bitfuse.Benchmarks.Compare;

/// <summary>
/// The case filter a suite reads from its environment variable (<c>BITFUSE_QUERY_CASES</c>,
/// <c>BITFUSE_BITMAPS_CASES</c>, <c>BITFUSE_DATABASE_CASES</c>), for iterating on a few cases: comma-separated parts,
/// a case runs when its name contains one of them, or ends with one written with a trailing <c>$</c>
/// (<c>deserialize,-or$</c>). Unset or empty: every case.
/// </summary>
public static class CaseFilter
{
    /// <summary>The comma-separated parts of <paramref name="variable"/> (none when it is unset or empty).</summary>
    public static string[] Parts(string variable) =>
        (Environment.GetEnvironmentVariable(variable) ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>True when <paramref name="variable"/> keeps the case <paramref name="caseName"/> (see the class remarks).</summary>
    public static bool Selected(string variable, string caseName)
    {
        var parts = Parts(variable);
        return parts.Length == 0 || parts.Any(part => part.EndsWith('$')
            ? caseName.EndsWith(part[..^1], StringComparison.Ordinal)
            : caseName.Contains(part, StringComparison.Ordinal));
    }
}
