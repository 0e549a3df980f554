namespace Bitfuse.Persistence.Tests;

/// <summary>A compiled query keeps what it resolved in a snapshot, and never hands it out for another snapshot or after disposal.</summary>
public sealed class SnapshotQueryTests
{
    [Fact]
    public void One_compiled_query_answers_each_snapshot_as_of_its_commit_and_refuses_a_disposed_one()
    {
        using var folder = new TempFolder();
        using var db = Database.Open(folder.Db(), new DatabaseOptions { CheckpointLogBytes = 0 });
        using (var tx = db.BeginWrite())
        {
            tx.Add("a", [1u, 2u, 3u, 4u]);
            tx.Add("b", [2u, 3u]);
            tx.Commit();
        }
        var query = new QueryEngine().Compile("a & !b");
        var first = db.Snapshot();
        BitmapSet firstSet = first;
        Assert.Equal(2, query.Count(firstSet));
        Assert.Equal(2, query.Count(firstSet));

        using (var tx = db.BeginWrite())
        {
            tx.Remove("b", [3u]);
            tx.Add("a", [9u]);
            tx.Commit();
        }
        db.Checkpoint();
        using (var second = db.Snapshot())
        {
            Assert.Equal(4, query.Count(second));
            Assert.Equal(2, query.Count(firstSet));
            Assert.Equal(4, query.Count(second));
        }
        first.Dispose();
        Assert.Throws<ObjectDisposedException>(() => query.Count(firstSet));
    }
}
