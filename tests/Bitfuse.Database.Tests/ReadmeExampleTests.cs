namespace Bitfuse.Persistence.Tests;

/// <summary>
/// The database example of README.md: the block between the markers below runs here, its count is checked against
/// a model, and the README must show exactly that block (so the two cannot drift apart).
/// </summary>
public sealed class ReadmeExampleTests
{
    private const string Start = "// The README's database example, from here to the end marker, exactly as README.md shows it.";
    private const string End = "// End of the README's database example.";

    [Fact]
    public void The_readme_example_runs_as_written_and_counts_what_a_model_counts()
    {
        using var folder = new TempFolder();
        var path = folder.Db("segments.bfdb");
        var engine = new QueryEngine();

        // The README's database example, from here to the end marker, exactly as README.md shows it.
        uint[] usIds = [.. Enumerable.Range(0, 50_000).Select(i => (uint)(i * 7))];
        uint[] iosIds = [.. Enumerable.Range(0, 30_000).Select(i => (uint)(i * 5))];
        using var androidIds = Bitmap.FromValues(Enumerable.Range(0, 20_000).Select(i => (uint)(i * 11 + 1)).ToArray());

        using var db = Database.Open(path);                  // path: a folder, created when absent; one process at a time
        using (var tx = db.BeginWrite())                     // one writer at a time
        {
            tx.Add("country:us", usIds);
            tx.Add("churned", [42u, 49u, 70u]);
            tx.Remove("churned", 42);
            tx.Add("os:ios", iosIds);
            tx.Set("os:android", androidIds);                // replaces the whole bitmap
            tx.Add("tmp", 1u);
            tx.Delete("tmp");
            tx.Commit();                                     // durable when it returns (all of it or nothing)
        }
        using var snapshot = db.Snapshot();                  // the last commit, lock-free; writers go on
        var q = engine.Compile("country:us & (os:ios | os:android) & !churned");
        long n = q.Count(snapshot);                          // straight over the mapped pages
        // End of the README's database example.

        var us = usIds.ToHashSet();
        var anyOs = iosIds.Concat(androidIds).ToHashSet();
        var churned = new HashSet<uint> { 49, 70 };
        var expected = us.Count(v => anyOs.Contains(v) && !churned.Contains(v));
        Assert.Equal(expected, n);
        Assert.False(snapshot.Contains("tmp"));
        Assert.Equal(["churned", "country:us", "os:android", "os:ios"], snapshot.Names.ToArray());
    }

    [Fact]
    public void The_readme_shows_exactly_the_example_this_test_runs()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (!File.Exists(Path.Combine(root.FullName, "Bitfuse.slnx")))
        {
            root = root.Parent ?? throw new DirectoryNotFoundException("the repository root (Bitfuse.slnx) is not above the test output");
        }
        var source = File.ReadAllLines(Path.Combine(root.FullName, "tests", "Bitfuse.Database.Tests", "ReadmeExampleTests.cs"));
        var from = Array.FindIndex(source, l => l.Trim() == Start);
        var to = Array.FindIndex(source, l => l.Trim() == End);
        Assert.True(from >= 0 && to > from, "the example's markers are missing");
        var indent = source[from].Length - source[from].TrimStart().Length;
        var example = source[(from + 1)..to].Select(l => l.Length >= indent ? l[indent..] : l.TrimStart()).ToArray();

        var readme = File.ReadAllLines(Path.Combine(root.FullName, "README.md"));
        var open = Array.FindIndex(readme, l => l == example[0]);
        Assert.True(open > 0 && readme[open - 1] == "```csharp", "README.md has no C# block that starts with the example's first line");
        var close = Array.FindIndex(readme, open, l => l == "```");
        Assert.Equal(example, readme[open..close]);
    }
}
