using System.Diagnostics;
using Bitfuse.Benchmarks.Compare;
using Spectre.Console;

namespace Bitfuse.Benchmarks.Suites;

/// <summary>
/// <c>readers-during-commits</c>: reader threads (one per core but one) answer the realdata query windows of the
/// largest data set, one query per snapshot, while one writer commits 100 values at a time, as fast as it can, into
/// the bitmaps the readers read (a batch added, the same batch removed by the next commit). Sides, in alternating
/// rounds: the database (durable commits; readers take snapshots, no lock); the database with no writer; the same
/// bitmaps in memory behind a <see cref="ReaderWriterLockSlim"/> (readers hold the read lock for a query, the writer
/// the write lock for a change applied in place, as fast as it can); and that lock with the writer paced to the
/// database writer's measured commit rate (the same write load). Reported: ns per query (inverse throughput of all
/// readers; the ratio is the median of the per-round ratios, with its p25–p75), the writers' commit rates, the database
/// writer's commit latency p50/p99, and per side the share of the time the readers were on a core, their CPU time per
/// query and the kernel's part of it (what separates slower reads from reads preempted by the writer's work, and
/// both from interrupt work a durable writer's I/O brings onto the readers' cores).
/// </summary>
public static class DatabaseReadersBench
{
    private const int ValuesPerCommit = 100;

    /// <summary>Runs the case and records its rows.</summary>
    public static void Run(CompareContext context, DatabaseFixture fixture)
    {
        var set = fixture.Largest;
        var readers = Math.Max(1, Environment.ProcessorCount - 1);
        // Fresh threads every round, so the scheduler places the reader anew (next to the disk's interrupts or not):
        // enough rounds that the median ratio does not hang on one placement.
        var rounds = context.Quick ? 4 : 15;
        var duration = TimeSpan.FromMilliseconds(context.Quick ? 200 : 500);
        var engine = new QueryEngine();
        var queries = DatabaseFixture.Windows(set.Names).Select(engine.Compile).ToArray();
        long universe = set.Names.Max(n => fixture.Memory[n].IsEmpty ? 0 : fixture.Memory[n].Max + 1L);

        var path = Path.Combine(fixture.Root, "readers.bfdb");
        using var db = Database.Open(path);
        using (var tx = db.BeginWrite())
        {
            foreach (var name in set.Names)
            {
                tx.Set(name, fixture.Memory[name]);
            }
            tx.Commit();
        }
        db.Checkpoint();

        var inMemory = new BitmapSet();
        foreach (var name in set.Names)
        {
            inMemory[name] = fixture.Memory[name].Clone();
        }
        try
        {
            // Check before timing: every query answers the same over a snapshot and over the locked copy.
            using (var snapshot = db.Snapshot())
            {
                foreach (var q in queries)
                {
                    if (q.Count(snapshot) != q.Count(inMemory) || q.Count(inMemory) != q.Count(fixture.Memory))
                    {
                        throw new InvalidOperationException($"readers-during-commits: '{q.Text}' differs between the database and memory");
                    }
                }
            }

            var sides = new Side[] { new("bitfuse"), new("no-writer"), new("rwlock"), new("rwlock-paced") };
            var rwlock = new ReaderWriterLockSlim(LockRecursionPolicy.NoRecursion);
            for (var round = 0; round < rounds; round++)
            {
                RunSide(sides[0], readers, duration, DatabaseQuery(db, queries), writer: stop => DatabaseWriter(db, set.Names, universe, stop, sides[0].CommitNs));
                RunSide(sides[1], readers, duration, DatabaseQuery(db, queries), writer: null);
                RunSide(sides[2], readers, duration, LockedQuery(rwlock, inMemory, queries), writer: stop => LockedWriter(rwlock, inMemory, set.Names, universe, stop, 0));
                var rate = sides[0].Commits / sides[0].WriterSeconds;
                RunSide(sides[3], readers, duration, LockedQuery(rwlock, inMemory, queries), writer: stop => LockedWriter(rwlock, inMemory, set.Names, universe, stop, rate));
            }
            rwlock.Dispose();

            // The writers alternately add and remove one batch, so after an even number of commits nothing changed.
            var subject = sides[0];
            var p50 = Stopwatches.Percentile(subject.CommitNs, 0.50);
            var p99 = Stopwatches.Percentile(subject.CommitNs, 0.99);
            context.Console.MarkupLine($"  [grey]readers-during-commits: {readers} reader(s) over {set.Name}; database writer {subject.Commits / subject.WriterSeconds:F0} commits/s of {ValuesPerCommit} values, commit latency p50 {p50 / 1000:F1} µs, p99 {p99 / 1000:F1} µs; rwlock writer {sides[2].Commits / sides[2].WriterSeconds:F0} commits/s, paced {sides[3].Commits / sides[3].WriterSeconds:F0} commits/s[/]");
            var timings = new SideTimings([.. sides.Select(side => side.RoundNsPerQuery.ToArray())]);
            for (var b = 1; b < sides.Length; b++)
            {
                var baseline = sides[b];
                var extra = new Dictionary<string, double>
                {
                    ["readers"] = readers,
                    ["subject_queries"] = subject.Queries,
                    ["baseline_queries"] = baseline.Queries,
                    ["subject_commits_per_s"] = subject.Commits / subject.WriterSeconds,
                    ["baseline_commits_per_s"] = baseline.WriterSeconds > 0 ? baseline.Commits / baseline.WriterSeconds : 0,
                    ["commit_p50_ns"] = p50,
                    ["commit_p99_ns"] = p99,
                    ["commit_max_ns"] = Stopwatches.Percentile(subject.CommitNs, 1.0),
                    ["subject_reader_cpu_share"] = subject.ReaderCpuShare(readers),
                    ["baseline_reader_cpu_share"] = baseline.ReaderCpuShare(readers),
                    ["subject_reader_cpu_ns_per_query"] = subject.ReaderCpuNsPerQuery,
                    ["baseline_reader_cpu_ns_per_query"] = baseline.ReaderCpuNsPerQuery,
                    ["subject_reader_kernel_ns_per_query"] = subject.ReaderKernelNsPerQuery,
                    ["baseline_reader_kernel_ns_per_query"] = baseline.ReaderKernelNsPerQuery,
                };
                context.Record(timings.Row(context.Suite, "readers-during-commits", baseline.Name, 0, b, extra,
                    note: $"ns per query over all {readers} reader(s) (inverse throughput; median of {rounds} rounds, ratio the median of per-round ratios), one realdata window query per snapshot; writer: {ValuesPerCommit}-value commits as fast as it can (bitfuse durable; rwlock in place under the write lock; rwlock-paced at bitfuse's commit rate); commit latency p50/p99 in extra"));
            }
            foreach (var side in sides)
            {
                context.Console.MarkupLine($"  [grey]readers-during-commits {side.Name}: {side.NsPerQuery(readers) / 1000:F2} µs a query, readers on a core {side.ReaderCpuShare(readers):P1} of the time, {side.ReaderCpuNsPerQuery / 1000:F2} µs of reader CPU a query ({side.ReaderKernelNsPerQuery / 1000:F2} µs of it in the kernel); by the reader's CPU at the end of a round: {side.ByPlacement()}[/]");
            }
            context.Console.MarkupLine($"  [grey]readers-during-commits: commit latency p50 {p50 / 1000:F1} µs, p99 {p99 / 1000:F1} µs over {subject.CommitNs.Count} commits[/]");
        }
        finally
        {
            foreach (var bitmap in inMemory.Values)
            {
                bitmap.Dispose();
            }
        }
    }

    private static Func<int, long> DatabaseQuery(Database db, CompiledQuery[] queries) => i =>
    {
        using var snapshot = db.Snapshot();
        return queries[i % queries.Length].Count(snapshot);
    };

    private static Func<int, long> LockedQuery(ReaderWriterLockSlim rwlock, BitmapSet set, CompiledQuery[] queries) => i =>
    {
        rwlock.EnterReadLock();
        try
        {
            return queries[i % queries.Length].Count(set);
        }
        finally
        {
            rwlock.ExitReadLock();
        }
    };

    private static long DatabaseWriter(Database db, List<string> names, long universe, Func<bool> stop, List<double> latencies)
    {
        var random = new Random(7);
        var added = new List<uint>();
        string name = names[0];
        long commits = 0;
        while (!stop())
        {
            var add = commits % 2 == 0;
            if (add)
            {
                // Only values the bitmap lacks, so the remove that follows takes back exactly what was added.
                name = names[random.Next(names.Count)];
                added.Clear();
                using var snapshot = db.Snapshot();
                var bitmap = snapshot[name];
                for (var attempt = 0; added.Count < ValuesPerCommit && attempt < 100 * ValuesPerCommit; attempt++)
                {
                    var v = (uint)random.NextInt64(Math.Max(1, universe));
                    if (!bitmap.Contains(v) && !added.Contains(v))
                    {
                        added.Add(v);
                    }
                }
                added.Sort();
            }
            var start = Stopwatch.GetTimestamp();
            using (var tx = db.BeginWrite())
            {
                var values = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(added);
                if (add)
                {
                    tx.Add(name, values);
                }
                else
                {
                    tx.Remove(name, values);
                }
                tx.Commit();
            }
            latencies.Add(Stopwatches.ElapsedNs(start));
            commits++;
        }
        return commits;
    }

    private static long LockedWriter(ReaderWriterLockSlim rwlock, BitmapSet set, List<string> names, long universe, Func<bool> stop, double commitsPerSecond)
    {
        var random = new Random(7);
        var added = new List<uint>();
        string name = names[0];
        long commits = 0;
        var started = Stopwatch.GetTimestamp();
        while (!stop())
        {
            if (commitsPerSecond > 0)
            {
                var due = commits / commitsPerSecond * 1e9;
                var now = Stopwatches.ElapsedNs(started);
                if (now < due)
                {
                    StorageWriterClock.Sleep((long)(due - now));
                    continue;
                }
            }
            var add = commits % 2 == 0;
            var bitmap = set[name];
            if (add)
            {
                // The same batches as the database writer: 100 values the bitmap lacks (the writer is the only one changing it).
                name = names[random.Next(names.Count)];
                bitmap = set[name];
                added.Clear();
                for (var attempt = 0; added.Count < ValuesPerCommit && attempt < 100 * ValuesPerCommit; attempt++)
                {
                    var v = (uint)random.NextInt64(Math.Max(1, universe));
                    if (!bitmap.Contains(v) && !added.Contains(v))
                    {
                        added.Add(v);
                    }
                }
                added.Sort();
            }
            rwlock.EnterWriteLock();
            try
            {
                if (add)
                {
                    bitmap.AddMany(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(added));
                }
                else
                {
                    foreach (var v in added)
                    {
                        bitmap.Remove(v);
                    }
                }
            }
            finally
            {
                rwlock.ExitWriteLock();
            }
            commits++;
        }
        return commits;
    }

    private static void RunSide(Side side, int readers, TimeSpan duration, Func<int, long> query, Func<Func<bool>, long>? writer)
    {
        var stop = 0;
        bool Stopped() => Volatile.Read(ref stop) != 0;
        var counts = new long[readers];
        var cpuNs = new long[readers];
        var kernelNs = new long[readers];
        var cpus = new int[readers];
        Exception? failure = null;
        var threads = new Thread[readers];
        for (var r = 0; r < readers; r++)
        {
            var index = r;
            threads[r] = new Thread(() =>
            {
                try
                {
                    long sink = 0;
                    var n = 0;
                    var cpuStart = StorageWriterClock.ThreadCpuNs();
                    var kernelStart = StorageWriterClock.ThreadKernelNs();
                    while (!Stopped())
                    {
                        sink += query(n + index);
                        n++;
                    }
                    cpuNs[index] = StorageWriterClock.ThreadCpuNs() - cpuStart;
                    kernelNs[index] = StorageWriterClock.ThreadKernelNs() - kernelStart;
                    cpus[index] = StorageWriterClock.CurrentCpu();
                    counts[index] = n;
                    GC.KeepAlive(sink);
                }
                catch (Exception e)
                {
                    Interlocked.CompareExchange(ref failure, e, null);
                }
            });
        }
        long commits = 0;
        var writerThread = writer is null ? null : new Thread(() =>
        {
            try
            {
                commits = writer(Stopped);
            }
            catch (Exception e)
            {
                Interlocked.CompareExchange(ref failure, e, null);
            }
        });
        var start = Stopwatch.GetTimestamp();
        writerThread?.Start();
        foreach (var t in threads)
        {
            t.Start();
        }
        Thread.Sleep(duration);
        Volatile.Write(ref stop, 1);
        foreach (var t in threads)
        {
            t.Join();
        }
        var elapsed = Stopwatches.ElapsedNs(start);
        writerThread?.Join();
        var writerElapsed = Stopwatches.ElapsedNs(start);
        if (failure is not null)
        {
            throw new InvalidOperationException($"readers-during-commits {side.Name} failed", failure);
        }
        var queries = counts.Sum();
        side.Queries += queries;
        side.ReaderNs += elapsed;
        side.ReaderCpuNs += cpuNs.Sum();
        side.ReaderKernelNs += kernelNs.Sum();
        side.RoundNsPerQuery.Add(queries == 0 ? 0 : (double)elapsed * readers / queries);
        side.RoundReaderCpus.Add(string.Join('+', cpus));
        if (writerThread is not null)
        {
            side.Commits += commits;
            side.WriterSeconds += writerElapsed / 1e9;
        }
    }

    private sealed class Side(string name)
    {
        public string Name { get; } = name;

        public long Queries { get; set; }

        public double ReaderNs { get; set; }

        /// <summary>CPU time the reader threads used (on a core, not preempted or blocked).</summary>
        public double ReaderCpuNs { get; set; }

        /// <summary>The part of <see cref="ReaderCpuNs"/> spent in the kernel (with the interrupts that arrived while a reader ran).</summary>
        public double ReaderKernelNs { get; set; }

        /// <summary>Ns per query over all readers, one entry per round.</summary>
        public List<double> RoundNsPerQuery { get; } = [];

        /// <summary>The CPUs the readers ended each round on (one entry per round), to tell placements apart.</summary>
        public List<string> RoundReaderCpus { get; } = [];

        /// <summary>The median ns per query of the rounds that ended with the readers on each set of CPUs.</summary>
        public string ByPlacement() => string.Join("; ", RoundReaderCpus.Zip(RoundNsPerQuery)
            .GroupBy(r => r.First, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => $"cpu {g.Key}: {g.Count()} round(s), {Stopwatches.Median([.. g.Select(r => r.Second)]) / 1000:F2} µs"));

        /// <summary>The share of their running time the readers spent on a core.</summary>
        public double ReaderCpuShare(int readers) => ReaderNs == 0 ? 0 : ReaderCpuNs / (ReaderNs * readers);

        /// <summary>Reader CPU time per query: the readers' own work, whatever the scheduler took from them.</summary>
        public double ReaderCpuNsPerQuery => Queries == 0 ? 0 : ReaderCpuNs / Queries;

        /// <summary>Reader kernel time per query.</summary>
        public double ReaderKernelNsPerQuery => Queries == 0 ? 0 : ReaderKernelNs / Queries;

        public long Commits { get; set; }

        public double WriterSeconds { get; set; }

        public List<double> CommitNs { get; } = [];

        public double NsPerQuery(int readers) => Queries == 0 ? 0 : ReaderNs * readers / Queries;
    }
}
