namespace Bitfuse.Persistence.Tests;

/// <summary>Random transactions, checkpoints and reopenings, compared after each step with a model of sorted sets.</summary>
public sealed class DatabaseModelTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void Random_commits_checkpoints_and_reopens_match_a_model(int seed)
    {
        using var folder = new TempFolder();
        var path = folder.Db();
        var random = new Random(seed);
        var model = new SortedDictionary<string, SortedSet<uint>>(StringComparer.Ordinal);
        string[] names = ["a", "b", "c:1", "c:2", "d-x", "e.y", "f", "g"];
        var db = Database.Open(path, new DatabaseOptions { CheckpointLogBytes = 0 });
        try
        {
            for (var step = 0; step < 200; step++)
            {
                var roll = random.Next(100);
                if (roll < 5)
                {
                    db.Checkpoint();
                }
                else if (roll < 9)
                {
                    db.Dispose();
                    db = Database.Open(path, new DatabaseOptions { CheckpointLogBytes = 0 });
                }
                else
                {
                    using var tx = db.BeginWrite();
                    var ops = random.Next(1, 4);
                    for (var o = 0; o < ops; o++)
                    {
                        var name = names[random.Next(names.Length)];
                        var values = RandomValues(random);
                        switch (random.Next(10))
                        {
                            case < 5:
                                tx.Add(name, values);
                                Model(model, name).UnionWith(values);
                                break;
                            case < 8:
                                tx.Remove(name, values);
                                if (model.TryGetValue(name, out var set))
                                {
                                    set.ExceptWith(values);
                                }
                                break;
                            case 8:
                                using (var b = Bitmap.FromValues(values))
                                {
                                    tx.Set(name, b);
                                }
                                model[name] = [.. values];
                                break;
                            default:
                                tx.Delete(name);
                                model.Remove(name);
                                break;
                        }
                    }
                    tx.Commit();
                }
                AssertMatches(db, model);
            }
        }
        finally
        {
            db.Dispose();
        }
    }

    internal static void AssertMatches(Database db, SortedDictionary<string, SortedSet<uint>> model)
    {
        using var snapshot = db.Snapshot();
        Assert.Equal(model.Keys.ToArray(), snapshot.Names.ToArray());
        foreach (var (name, values) in model)
        {
            var bitmap = snapshot[name];
            Assert.Equal(values.Count, bitmap.Count);
            Assert.Equal(values.ToArray(), bitmap.ToArray());
        }
    }

    private static SortedSet<uint> Model(SortedDictionary<string, SortedSet<uint>> model, string name)
    {
        if (!model.TryGetValue(name, out var set))
        {
            model[name] = set = [];
        }
        return set;
    }

    /// <summary>Values over 20 keys in a mix of shapes: sparse, dense (bitset), runs.</summary>
    internal static uint[] RandomValues(Random random)
    {
        var key = (uint)random.Next(20) << 16;
        return random.Next(3) switch
        {
            0 => Enumerable.Range(0, random.Next(1, 50)).Select(_ => key + (uint)random.Next(65536)).ToArray(),
            1 => Enumerable.Range(0, random.Next(4100, 9000)).Select(_ => key + (uint)random.Next(65536)).ToArray(),
            _ => Enumerable.Range(random.Next(60000), random.Next(1, 5000)).Select(i => key + (uint)i).ToArray(),
        };
    }
}
