using System.Text.Json;

namespace Bitfuse.Cli.Tests;

[Collection(ConsoleCollection.Name)]
public sealed class QueryCommandTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "bitfuse-query-" + Guid.NewGuid().ToString("N"));

    public QueryCommandTests()
    {
        Directory.CreateDirectory(_folder);
        File.WriteAllText(Path.Combine(_folder, "set.csv0.txt"), "1,2,3,4,100000");
        File.WriteAllText(Path.Combine(_folder, "set.csv1.txt"), "2,4,6,100000,200000");
        File.WriteAllText(Path.Combine(_folder, "set.csv2.txt"), "4");
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Count_over_a_data_set_with_short_names()
    {
        var (exit, output, error) = CliRun.Capture("query", "(c0 & c1) - c2", "--dataset", _folder, "--count");
        Assert.True(exit == 0, error);
        Assert.StartsWith("2 values in ", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Values_as_json_with_a_limit_and_full_names()
    {
        var (exit, output, error) = CliRun.Capture("query", "set.csv0 | set.csv1", "--dataset", _folder, "--values", "--limit", "3", "--json");
        Assert.True(exit == 0, error);
        using var doc = JsonDocument.Parse(output);
        Assert.Equal(7, doc.RootElement.GetProperty("count").GetInt64());
        Assert.Equal([1u, 2u, 3u], doc.RootElement.GetProperty("values").EnumerateArray().Select(v => v.GetUInt32()).ToArray());
    }

    [Fact]
    public void Bitmap_files_in_text_and_roaring_format()
    {
        var roaring = Path.Combine(_folder, "b.roaring");
        using (var b = Bitmap.FromValues([4u, 5u, 6u]))
        {
            b.SerializeToFile(roaring);
        }
        var (exit, output, error) = CliRun.Capture("query", "a ^ b", "--bitmap", $"a={Path.Combine(_folder, "set.csv0.txt")}", "--bitmap", $"b={roaring}", "--values");
        Assert.True(exit == 0, error);
        Assert.Equal(["1", "2", "3", "5", "6", "100000"], output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Take(6));
    }

    [Fact]
    public void Explain_shows_trees_kernel_and_universe()
    {
        var (exit, output, error) = CliRun.Capture("query", "!c2 & (c0 | c1)", "--dataset", _folder, "--explain", "--count", "--universe", "10");
        Assert.True(exit == 0, error);
        Assert.Contains("optimized  ", output, StringComparison.Ordinal);
        Assert.Contains("universe   [0, 10) (given)", output, StringComparison.Ordinal);
        Assert.Contains("4 values in", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("c0 & (c1", "unclosed '('")]
    [InlineData("c0 & cx1", "unknown bitmap 'cx1'; did you mean")]
    public void User_mistakes_are_one_line_errors_with_a_non_zero_exit(string query, string message)
    {
        var (exit, _, error) = CliRun.Capture("query", query, "--dataset", _folder);
        Assert.NotEqual(0, exit);
        Assert.Contains(message, OneLine(error), StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_inputs_and_empty_folders_are_errors()
    {
        Assert.NotEqual(0, CliRun.Capture("query", "a").Exit);
        var empty = Path.Combine(_folder, "empty");
        Directory.CreateDirectory(empty);
        var (exit, _, error) = CliRun.Capture("query", "a", "--dataset", empty);
        Assert.NotEqual(0, exit);
        Assert.Contains("holds no .txt bitmaps", OneLine(error), StringComparison.Ordinal);
        File.WriteAllText(Path.Combine(_folder, "bad.txt"), "1,2,x");
        (exit, _, error) = CliRun.Capture("query", "bad", "--bitmap", $"bad={Path.Combine(_folder, "bad.txt")}");
        Assert.NotEqual(0, exit);
        Assert.Contains("unexpected byte 0x78 at offset 4", OneLine(error), StringComparison.Ordinal);
    }

    // The console wraps long lines; compare with white space collapsed.
    private static string OneLine(string text) => System.Text.RegularExpressions.Regex.Replace(text, @"\s+", " ");

    [Fact]
    public void Demo_builds_a_database_checks_answers_while_a_writer_commits_and_reopens_it()
    {
        var db = Path.Combine(_folder, "demo.bfdb");
        var (exit, output, error) = CliRun.Capture("demo", "--generate", "--runs", "1", "--commits", "20", "--db", db, "--json");
        Assert.True(exit == 0, error);
        using (var doc = JsonDocument.Parse(output))
        {
            var root = doc.RootElement;
            Assert.Equal(200, root.GetProperty("bitmaps").GetInt32());
            Assert.Equal("built", root.GetProperty("opened").GetString());
            var queries = root.GetProperty("queries").EnumerateArray().ToArray();
            Assert.Equal(6, queries.Length);
            Assert.All(queries, q => Assert.True(q.GetProperty("bitfuse_ms").GetDouble() > 0));
            var concurrent = root.GetProperty("concurrent");
            Assert.Equal(20, concurrent.GetProperty("commits").GetInt32());
            Assert.True(concurrent.GetProperty("answers_checked").GetInt64() >= 6);
        }

        // The writer's adds and removes cancel out, so the second run finds the data set unchanged and reopens it.
        (exit, output, error) = CliRun.Capture("demo", "--generate", "--runs", "1", "--commits", "2", "--db", db, "--json");
        Assert.True(exit == 0, error);
        using (var doc = JsonDocument.Parse(output))
        {
            Assert.Equal("reopened", doc.RootElement.GetProperty("opened").GetString());
        }
    }
}
