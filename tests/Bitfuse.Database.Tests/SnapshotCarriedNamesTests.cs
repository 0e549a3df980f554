namespace Bitfuse.Persistence.Tests;

/// <summary>
/// A compiled query carries the bitmaps it resolved in one snapshot to the next while the names' change stamps hold.
/// These tests check it never carries a bitmap into a snapshot of another version: every answer is compared with a
/// model of that snapshot's own commit, through commits, deletes, recreations, checkpoints and older snapshots.
/// </summary>
public sealed class SnapshotCarriedNamesTests
{
    private static readonly string[] Names = ["a", "b", "c", "d"];

    // "c | (c & d)": the optimizer absorbs d, which is still resolved (an unknown d fails the query) but not read.
    private static readonly string[] Texts = ["a & b", "a | c", "b & !d", "a ^ b ^ c", "(a | b) & (c | d)", "d", "c | (c & d)"];

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Queries_compiled_once_answer_every_snapshot_as_of_its_own_commit(int seed)
    {
        using var folder = new TempFolder();
        using var db = Database.Open(folder.Db(), new DatabaseOptions { CheckpointLogBytes = 0 });
        var engine = new QueryEngine();
        var queries = Texts.Select(engine.Compile).ToArray();
        var random = new Random(seed);
        var model = new Dictionary<string, HashSet<uint>>(StringComparer.Ordinal);
        // Older snapshots kept open with the model of their commit, queried again between newer ones.
        var held = new List<(Snapshot Snapshot, Dictionary<string, HashSet<uint>> Model)>();
        try
        {
            for (var step = 0; step < 300; step++)
            {
                using (var tx = db.BeginWrite())
                {
                    var name = Names[random.Next(Names.Length)];
                    var values = Enumerable.Range(0, random.Next(1, 6)).Select(_ => (uint)random.Next(64)).Distinct().Order().ToArray();
                    switch (random.Next(4))
                    {
                        case 0:
                            tx.Add(name, values);
                            Of(model, name).UnionWith(values);
                            break;
                        case 1 when model.ContainsKey(name):
                            tx.Remove(name, values);
                            model[name].ExceptWith(values);
                            break;
                        case 2 when model.ContainsKey(name):
                            tx.Delete(name);
                            model.Remove(name);
                            break;
                        default:
                            // Delete and make again in one transaction: a new bitmap under an old name.
                            if (model.ContainsKey(name))
                            {
                                tx.Delete(name);
                            }
                            tx.Add(name, values);
                            model[name] = [.. values];
                            break;
                    }
                    tx.Commit();
                }
                if (random.Next(25) == 0)
                {
                    db.Checkpoint();
                }
                var snapshot = db.Snapshot();
                var copy = model.ToDictionary(p => p.Key, p => new HashSet<uint>(p.Value), StringComparer.Ordinal);
                Check(queries, snapshot, copy);
                Check(queries, snapshot, copy);
                if (random.Next(4) == 0)
                {
                    held.Add((snapshot, copy));
                }
                else
                {
                    snapshot.Dispose();
                }
                if (held.Count > 0)
                {
                    var (old, oldModel) = held[random.Next(held.Count)];
                    Check(queries, old, oldModel);
                }
                if (held.Count > 6)
                {
                    held[0].Snapshot.Dispose();
                    held.RemoveAt(0);
                }
            }
        }
        finally
        {
            foreach (var (snapshot, _) in held)
            {
                snapshot.Dispose();
            }
        }
    }

    [Fact]
    public void A_query_carried_into_a_snapshot_refuses_it_once_disposed_and_a_deleted_name_stays_unknown()
    {
        using var folder = new TempFolder();
        using var db = Database.Open(folder.Db(), new DatabaseOptions { CheckpointLogBytes = 0 });
        Commit(db, tx => tx.Add("a", [1u, 2u, 3u]));
        Commit(db, tx => tx.Add("b", [2u, 3u, 4u]));
        var query = new QueryEngine().Compile("a & b");
        using (var first = db.Snapshot())
        {
            Assert.Equal(2, query.Count(first));
        }
        Commit(db, tx => tx.Add("c", [7u]));
        var second = db.Snapshot();
        BitmapSet secondSet = second;
        Assert.Equal(2, query.Count(secondSet));
        second.Dispose();
        Assert.Throws<ObjectDisposedException>(() => query.Count(secondSet));

        Commit(db, tx => tx.Delete("b"));
        using (var third = db.Snapshot())
        {
            Assert.Throws<UnknownBitmapException>(() => query.Count(third));
        }
        Commit(db, tx => tx.Add("b", [3u]));
        using (var fourth = db.Snapshot())
        {
            Assert.Equal(1, query.Count(fourth));
            Assert.Equal([3u], query.Evaluate(fourth).ToArray());
        }
    }

    [Fact]
    public void A_reader_on_fresh_snapshots_never_mixes_two_versions_while_a_writer_commits()
    {
        // Every commit gives "a" and "b" the same new contents, so in any one version "a ^ b" is empty and "a & b"
        // has as many values as "a". A bitmap carried from another version breaks one of the two.
        using var folder = new TempFolder();
        using var db = Database.Open(folder.Db(), new DatabaseOptions { CheckpointLogBytes = 0 });
        Commit(db, tx =>
        {
            tx.Add("a", [0u]);
            tx.Add("b", [0u]);
        });
        var engine = new QueryEngine();
        var xor = engine.Compile("a ^ b");
        var and = engine.Compile("a & b");
        var finished = 0;
        Exception? failure = null;
        var writer = new Thread(() =>
        {
            try
            {
                for (var i = 1u; i <= 400; i++)
                {
                    using var values = Bitmap.FromValues([.. Enumerable.Range(0, (int)(i % 7) + 1).Select(k => i * 10 + (uint)k)]);
                    Commit(db, tx =>
                    {
                        tx.Set("a", values);
                        tx.Set("b", values);
                    });
                    if (i % 100 == 0)
                    {
                        db.Checkpoint();
                    }
                }
            }
            catch (Exception e)
            {
                failure = e;
            }
            Volatile.Write(ref finished, 1);
        });
        writer.Start();
        var checks = 0;
        try
        {
            while (Volatile.Read(ref finished) == 0 || checks == 0)
            {
                using var snapshot = db.Snapshot();
                Assert.Equal(0, xor.Count(snapshot));
                Assert.Equal(snapshot["a"].Count, and.Count(snapshot));
                checks++;
            }
        }
        finally
        {
            writer.Join();
        }
        Assert.Null(failure);
        Assert.True(checks > 0);
    }

    private static void Check(CompiledQuery[] queries, Snapshot snapshot, Dictionary<string, HashSet<uint>> model)
    {
        foreach (var query in queries)
        {
            if (query.Variables.Any(v => !model.ContainsKey(v)))
            {
                Assert.Throws<UnknownBitmapException>(() => query.Count(snapshot));
                continue;
            }
            var expected = Evaluate(query.Text, model);
            Assert.Equal(expected.Count, query.Count(snapshot));
            using var answer = query.Evaluate(snapshot);
            Assert.Equal(expected.Order(), answer.ToArray());
        }
    }

    // The queries above, over the model.
    private static HashSet<uint> Evaluate(string text, Dictionary<string, HashSet<uint>> m) => text switch
    {
        "a & b" => [.. m["a"].Intersect(m["b"])],
        "a | c" => [.. m["a"].Union(m["c"])],
        "b & !d" => [.. m["b"].Except(m["d"])],
        "a ^ b ^ c" => [.. m["a"].Union(m["b"]).Union(m["c"]).Where(v => (m["a"].Contains(v) ? 1 : 0) + (m["b"].Contains(v) ? 1 : 0) + (m["c"].Contains(v) ? 1 : 0) is 1 or 3)],
        "(a | b) & (c | d)" => [.. m["a"].Union(m["b"]).Intersect(m["c"].Union(m["d"]))],
        "d" => [.. m["d"]],
        "c | (c & d)" => [.. m["c"]],
        _ => throw new ArgumentException(text),
    };

    private static HashSet<uint> Of(Dictionary<string, HashSet<uint>> model, string name) =>
        model.TryGetValue(name, out var set) ? set : model[name] = [];

    private static void Commit(Database db, Action<WriteTransaction> change)
    {
        using var tx = db.BeginWrite();
        change(tx);
        tx.Commit();
    }
}
