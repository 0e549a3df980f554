namespace Bitfuse.Persistence.Tests;

public sealed class ReadmeExampleTests
{
    [Fact]
    public void The_readme_example_runs_as_written_and_counts_what_a_model_counts()
    {
        using var folder = new TempFolder();
        var path = folder.Db("segments.bfdb");
        var ids = Enumerable.Range(0, 50_000).Select(i => (uint)(i * 7)).ToArray();
        var ios = Enumerable.Range(0, 30_000).Select(i => (uint)(i * 5)).ToArray();
        using var android = Bitmap.FromValues(Enumerable.Range(0, 20_000).Select(i => (uint)(i * 11 + 1)).ToArray());
        var engine = new QueryEngine();

        // The example, as the README shows it.
        using var db = Database.Open(path);
        using (var tx = db.BeginWrite())
        {
            tx.Add("country:us", ids);
            tx.Add("churned", [42u, 49u, 70u]);
            tx.Remove("churned", 42);
            tx.Add("os:ios", ios);
            tx.Set("os:android", android);
            tx.Add("tmp", 1u);
            tx.Delete("tmp");
            tx.Commit();
        }
        using var snapshot = db.Snapshot();
        var q = engine.Compile("country:us & (os:ios | os:android) & !churned");
        long n = q.Count(snapshot);

        var us = ids.ToHashSet();
        var anyOs = ios.Concat(android).ToHashSet();
        var churned = new HashSet<uint> { 49, 70 };
        var expected = us.Count(v => anyOs.Contains(v) && !churned.Contains(v));
        Assert.Equal(expected, n);
        Assert.False(snapshot.Contains("tmp"));
        Assert.Equal(["churned", "country:us", "os:android", "os:ios"], snapshot.Names.ToArray());
    }
}
