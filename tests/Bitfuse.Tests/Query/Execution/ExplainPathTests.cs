namespace Bitfuse.Tests.Query.Execution;

/// <summary>Explain names the path Count and Evaluate take: a direct form, or the per-key planner.</summary>
public sealed class ExplainPathTests
{
    [Theory]
    [InlineData("a & b", "direct pair: the bitmaps' own and")]
    [InlineData("a - b", "direct pair: the bitmaps' own and-not")]
    [InlineData("a | b", "direct pair: the bitmaps' own or")]
    [InlineData("a ^ b", "direct pair: the bitmaps' own xor")]
    [InlineData("a & b & !c", "direct intersect: key leapfrog, smallest container first")]
    [InlineData("a | b | c", "direct union: array merge, run-list merge or bitset or per key")]
    [InlineData("(a & b) | c", "per-key planner")]
    [InlineData("!a", "per-key planner")]
    public void Names_the_path_count_takes(string text, string path)
    {
        using var a = Bitmap.FromValues([1, 2, 3, 70_000, 140_000]);
        using var b = Bitmap.FromValues([2, 3, 4, 70_000]);
        using var c = Bitmap.FromValues([3, 5, 140_000]);
        var inputs = new BitmapSet { ["a"] = a, ["b"] = b, ["c"] = c };
        var query = new QueryEngine().Compile(text);

        var explanation = query.Explain(inputs);

        Assert.Equal(path, explanation.Path);
        Assert.Equal(path == "per-key planner", explanation.PathElapsed is null);
        // One run, of the path taken: only the planner keeps key statistics.
        Assert.Equal(path == "per-key planner", explanation.Statistics is not null);
        Assert.Equal(query.Count(inputs), explanation.Count);
        Assert.Contains($"path       {path}", explanation.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_universe_that_cuts_the_inputs_or_parallel_runs_take_the_planner()
    {
        using var a = Bitmap.FromValues([1, 2, 3, 70_000]);
        using var b = Bitmap.FromValues([2, 3, 70_000]);
        var inputs = new BitmapSet { ["a"] = a, ["b"] = b };
        var query = new QueryEngine().Compile("a & b");

        Assert.Equal("per-key planner", query.Explain(inputs, new QueryRunOptions { UniverseEnd = 10 }).Path);
        Assert.Equal("per-key planner", query.Explain(inputs, new QueryRunOptions { DegreeOfParallelism = 2 }).Path);
        Assert.Equal("direct pair: the bitmaps' own and", query.Explain(inputs, new QueryRunOptions { UniverseEnd = 70_001 }).Path);
    }
}
