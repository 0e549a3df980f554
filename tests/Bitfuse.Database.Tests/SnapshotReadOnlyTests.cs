namespace Bitfuse.Persistence.Tests;

/// <summary><see cref="Snapshot.GetReadOnly"/> answers as the snapshot's bitmap, as of its commit, and only while the snapshot lives.</summary>
public sealed class SnapshotReadOnlyTests
{
    [Fact]
    public void GetReadOnly_answers_as_of_the_snapshot_and_ends_with_it()
    {
        using var folder = new TempFolder();
        using var db = Database.Open(folder.Db(), new DatabaseOptions { CheckpointLogBytes = 0 });
        using (var tx = db.BeginWrite())
        {
            tx.Add("a", [1u, 2u, 3u, 70_000u]);
            tx.Add("b", [2u, 3u]);
            tx.Commit();
        }
        var snapshot = db.Snapshot();
        var a = snapshot.GetReadOnly("a");
        var b = snapshot.GetReadOnly("b");
        Assert.Equal(snapshot["a"].ToArray(), a.ToArray());
        Assert.Equal([1u, 2u, 3u, 70_000u], a.ToArray());
        Assert.True(b.IsSubsetOf(a));
        using (var difference = a - b)
        {
            Assert.Equal([1u, 70_000u], difference.ToArray());
        }

        using (var tx = db.BeginWrite())
        {
            tx.Add("a", [9u]);
            tx.Remove("b", [3u]);
            tx.Commit();
        }
        db.Checkpoint();
        Assert.Equal(4, a.Count);
        Assert.False(a.Contains(9));
        Assert.Equal(2, b.Count);
        using (var later = db.Snapshot())
        {
            Assert.True(later.GetReadOnly("a").Contains(9));
            Assert.Equal(1, later.GetReadOnly("b").Count);
        }

        // Disposing a wrapper leaves the snapshot's bitmap alone.
        a.Dispose();
        Assert.Equal(4, snapshot.GetReadOnly("a").Count);
        Assert.Throws<UnknownBitmapException>(() => snapshot.GetReadOnly("missing"));
        snapshot.Dispose();
        Assert.Throws<ObjectDisposedException>(() => snapshot.GetReadOnly("a"));
    }
}
