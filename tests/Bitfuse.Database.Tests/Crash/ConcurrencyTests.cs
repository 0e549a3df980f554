using System.Collections.Concurrent;

namespace Bitfuse.Persistence.Tests.Crash;

/// <summary>
/// Readers against the writer, with the memory debug checks on (freed container memory is poisoned, so a
/// reader that touched a freed container would see garbage): snapshots are internally consistent and never
/// change, a stalled snapshot holds no more than its own version, and concurrent commits share log syncs.
/// </summary>
public sealed class ConcurrencyTests
{
    private const int Names = 6;

    private static readonly ConcurrentDictionary<(long, int), uint[]> Memo = new();

    [Fact]
    public void Readers_see_whole_versions_only_while_the_writer_commits_and_checkpoints()
    {
        using var folder = new TempFolder();
        using var database = Database.Open(folder.Db(), new DatabaseOptions { CheckpointLogBytes = 96 << 10 });
        CommitVersion(database, 0);
        var engine = new QueryEngine();
        var union = engine.Compile("n0 | n1 | n2");
        var problems = new ConcurrentQueue<string>();
        var seen = new ConcurrentDictionary<long, bool>();
        var reads = 0L;
        var writing = true;
        var readers = Enumerable.Range(0, 2).Select(_ => new Thread(() =>
        {
            while (Volatile.Read(ref writing) && problems.IsEmpty)
            {
                using var snapshot = database.Snapshot();
                // Each bitmap's values follow from the version number the snapshot holds in "version".
                var version = snapshot["version"].ToArray().Single();
                seen[version] = true;
                var expectedUnion = new HashSet<uint>();
                for (var i = 0; i < Names; i++)
                {
                    var expected = Values(version, i);
                    var actual = snapshot[$"n{i}"].ToArray();
                    if (!actual.AsSpan().SequenceEqual(expected))
                    {
                        problems.Enqueue($"version {version}, n{i}: {actual.Length} values, expected {expected.Length}");
                    }
                    if (i < 3)
                    {
                        expectedUnion.UnionWith(expected);
                    }
                }
                var count = union.Count(snapshot);
                if (count != expectedUnion.Count)
                {
                    problems.Enqueue($"version {version}: n0 | n1 | n2 counts {count}, expected {expectedUnion.Count}");
                }
                Interlocked.Increment(ref reads);
            }
        })).ToList();
        readers.ForEach(t => t.Start());
        for (var version = 1; version <= 80 && problems.IsEmpty; version++)
        {
            CommitVersion(database, version);
            if (version % 20 == 0)
            {
                database.Checkpoint();
            }
        }
        Volatile.Write(ref writing, false);
        readers.ForEach(t => t.Join());

        Assert.Empty(problems);
        Assert.True(seen.Count >= 3, $"the readers saw only {seen.Count} versions in {reads} reads");
        Assert.True(database.Statistics.Checkpoints >= 4);
    }

    [Fact]
    public void A_snapshots_answers_never_change_while_commits_and_checkpoints_land()
    {
        using var folder = new TempFolder();
        using var database = Database.Open(folder.Db(), new DatabaseOptions { CheckpointLogBytes = 0 });
        CommitVersion(database, 0);
        database.Checkpoint();
        CommitVersion(database, 1);
        var engine = new QueryEngine();
        var query = engine.Compile("(n0 | n1) & !n2 | n3 & n4");
        using var snapshot = database.Snapshot();
        var model = Expected(1);
        var count = query.Count(snapshot);
        uint[] answer;
        using (var result = query.Evaluate(snapshot))
        {
            answer = result.ToArray();
        }
        Assert.Equal(model, answer);
        Assert.Equal(model.Length, count);

        var changed = false;
        for (var version = 2; version <= 40; version++)
        {
            CommitVersion(database, version);
            if (version % 10 == 0)
            {
                database.Checkpoint();
            }
            Assert.Equal(count, query.Count(snapshot));
            using var again = query.Evaluate(snapshot);
            Assert.Equal(answer, again.ToArray());
            using var current = database.Snapshot();
            changed |= query.Count(current) != count;
        }
        Assert.True(changed, "the commits never changed the answer, so the test proved nothing");

        static uint[] Expected(int version)
        {
            var n = Enumerable.Range(0, Names).Select(i => Values(version, i).ToHashSet()).ToArray();
            return [.. n[0].Union(n[1]).Where(v => !n[2].Contains(v)).Union(n[3].Intersect(n[4])).Order()];
        }
    }

    [Fact]
    public void A_stalled_snapshot_holds_at_most_its_own_version_and_its_memory_goes_after_it_is_disposed()
    {
        using var folder = new TempFolder();
        using var database = Database.Open(folder.Db(), new DatabaseOptions { CheckpointLogBytes = 0 });
        CommitVersion(database, 0);
        var stalledBytes = database.Statistics.LiveContainerBytes;
        Assert.True(stalledBytes > 0);
        var stalled = database.Snapshot();
        var retainedAtMost = 0L;
        for (var version = 1; version <= 60; version++)
        {
            CommitVersion(database, version);
            var statistics = database.Statistics;
            retainedAtMost = Math.Max(retainedAtMost, statistics.RetainedContainerBytes);
            // The claim: a replaced container is freed once no live version holds it, so only the stalled
            // version's containers are kept for it (the brief's looser bound adds the current version).
            Assert.True(statistics.RetainedContainerBytes <= stalledBytes,
                $"version {version}: {statistics.RetainedContainerBytes} bytes retained, more than the stalled version's {stalledBytes}");
            Assert.True(statistics.LiveVersions <= 2, $"version {version}: {statistics.LiveVersions} live versions");
        }
        Assert.True(retainedAtMost > 0, "nothing was retained for the stalled snapshot, so the test proved nothing");
        // The stalled snapshot still reads its own version.
        for (var i = 0; i < Names; i++)
        {
            Assert.Equal(Values(0, i), stalled[$"n{i}"].ToArray());
        }
        stalled.Dispose();
        CommitVersion(database, 61);
        Assert.Equal(0, database.Statistics.RetainedContainerBytes);
        Assert.Equal(1, database.Statistics.LiveVersions);
    }

    [Fact]
    public void Concurrent_commits_share_log_syncs_and_every_one_lands()
    {
        using var folder = new TempFolder();
        var path = folder.Db();
        const int threads = 4, commits = 40;
        using (var database = Database.Open(path, new DatabaseOptions { CheckpointLogBytes = 0 }))
        {
            using var start = new Barrier(threads);
            var writers = Enumerable.Range(0, threads).Select(t => new Thread(() =>
            {
                start.SignalAndWait();
                for (var j = 0u; j < commits; j++)
                {
                    using var transaction = database.BeginWrite();
                    transaction.Add($"t{t}", j);
                    transaction.Commit();
                }
            })).ToList();
            writers.ForEach(w => w.Start());
            writers.ForEach(w => w.Join());
            var statistics = database.Statistics;
            Assert.Equal(threads * commits, statistics.Commits);
            Assert.True(statistics.LogSyncs < statistics.Commits, $"{statistics.LogSyncs} syncs for {statistics.Commits} commits: none was shared");
        }
        using var reopened = Database.Open(path, new DatabaseOptions { CheckpointLogBytes = 0 });
        using var snapshot = reopened.Snapshot();
        Assert.Equal(threads * commits, snapshot.Lsn);
        for (var t = 0; t < threads; t++)
        {
            Assert.Equal(Enumerable.Range(0, commits).Select(j => (uint)j), snapshot[$"t{t}"].ToArray());
        }
    }

    /// <summary>Commits version <paramref name="version"/>: each n<i>i</i> changed to <see cref="Values"/> by removes and adds (or a set), and "version" = {version}.</summary>
    private static void CommitVersion(Database database, int version)
    {
        using var transaction = database.BeginWrite();
        for (var i = 0; i < Names; i++)
        {
            var next = Values(version, i);
            if (version == 0 || (version + i) % 4 == 0)
            {
                using var bitmap = Bitmap.FromValues(next);
                transaction.Set($"n{i}", bitmap);
                continue;
            }
            var previous = Values(version - 1, i);
            transaction.Remove($"n{i}", previous.Except(next).ToArray());
            transaction.Add($"n{i}", next.Except(previous).ToArray());
        }
        using (var marker = Bitmap.FromValues([(uint)version]))
        {
            transaction.Set("version", marker);
        }
        transaction.Commit();
    }

    /// <summary>The values of n<paramref name="name"/> at <paramref name="version"/>: dense, sparse and run containers over two keys.</summary>
    private static uint[] Values(long version, int name) => Memo.GetOrAdd((version, name), key => Generate(key.Item1, key.Item2));

    private static uint[] Generate(long version, int name)
    {
        var random = new Random((int)(version * 31 + name));
        var values = new List<uint>();
        for (var key = 0u; key < 2; key++)
        {
            var at = (uint)(name + key) << 16;
            switch ((version + name + key) % 3)
            {
                case 0:
                    for (var k = 0; k < 4600; k++)
                    {
                        values.Add(at + (uint)random.Next(65536));
                    }
                    break;
                case 1:
                    for (var k = 0; k < 60; k++)
                    {
                        values.Add(at + (uint)random.Next(65536));
                    }
                    break;
                default:
                    var start = (uint)random.Next(60000);
                    for (var k = 0u; k < 3000; k++)
                    {
                        values.Add(at + start + k);
                    }
                    break;
            }
        }
        values.Sort();
        return [.. values.Distinct()];
    }
}
