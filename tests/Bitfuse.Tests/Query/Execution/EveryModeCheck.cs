using Bitfuse.Query.Execution;

namespace Bitfuse.Tests.Query.Execution;

/// <summary>
/// One compiled query run in every mode (Count, Evaluate, ForEach, Any, two workers, Explain) over one set of
/// inputs, each answer checked against the reference interpreter over the inputs clipped to the universe.
/// </summary>
internal static class EveryModeCheck
{
    /// <summary>A seed from the query text that is the same in every process (string hash codes are not).</summary>
    public static int Seed(string text)
    {
        var seed = 17;
        foreach (var c in text)
        {
            seed = unchecked((seed * 31) + c);
        }
        return seed & 0x7FFF;
    }

    /// <summary>
    /// Checks every mode and returns the statistics of the explained run (the paths the keys took), or null when the
    /// query ran as a direct shape, which keeps no per-key statistics.
    /// </summary>
    public static ExecutionStatistics? Run(CompiledQuery query, BitmapSet bitmaps, Dictionary<string, HashSet<uint>> sets,
        uint universe, QueryRunOptions options)
    {
        var clipped = sets.ToDictionary(p => p.Key, p => p.Value.Where(v => v < universe).ToHashSet());
        var expected = ReferenceInterpreter.Evaluate(query.Parsed, clipped, universe).Order().ToArray();

        Assert.Equal(expected.Length, query.Count(bitmaps, options));
        using (var result = query.Evaluate(bitmaps, options))
        {
            Assert.Equal(expected, result.ToArray());
        }
        var streamed = new List<uint>();
        query.ForEach(bitmaps, streamed.Add, options);
        Assert.Equal(expected, streamed);
        Assert.Equal(expected.Length > 0, query.Any(bitmaps, options));
        using (var parallel = query.Evaluate(bitmaps, options with { DegreeOfParallelism = 2 }))
        {
            Assert.Equal(expected, parallel.ToArray());
        }
        var explanation = query.Explain(bitmaps, options);
        Assert.Equal(expected.Length, explanation.Count);
        return explanation.Statistics;
    }
}
