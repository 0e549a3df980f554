using Bitfuse.Benchmarks.Compare;
using Roaring.Net.CRoaring;
using Spectre.Console;

namespace Bitfuse.Benchmarks.Suites;

/// <summary>
/// <c>compare database</c>: the persistent index against the ways one would do without it. Queries over a database
/// opened from disk against the same bitmaps in memory; opening a database and answering one query against
/// deserializing Roaring files; reader throughput while a writer commits against no writer and a
/// ReaderWriterLockSlim-guarded in-memory index; durable commits against SQLite; importing against building
/// bitmaps and writing Roaring files. Every case checks its answers before it is timed.
/// <para>
/// For iterating on a few cases, <c>BITFUSE_DATABASE_CASES</c> keeps the case groups whose name contains one of its
/// comma-separated parts (<c>readers-during-commits</c>, <c>query-mapped</c>, <c>import</c>, <c>commit-durable</c>,
/// <c>open-first-query</c>; see <see cref="CaseFilter"/>). Unset or empty: every case.
/// </para>
/// </summary>
public sealed class DatabaseSuite : ICompareSuite
{
    /// <inheritdoc />
    public string Name => "database";

    /// <inheritdoc />
    public string Description => "queries over a mapped database vs memory; open + first query vs deserialize; readers during commits vs no writer and rwlock; durable commits vs SQLite; import vs FromValues + Roaring files";

    /// <inheritdoc />
    public void Run(CompareContext context)
    {
        using var fixture = new DatabaseFixture(context);
        if (Selected("query-mapped"))
        {
            QueryMapped(context, fixture);
        }
        if (Selected("import"))
        {
            Import(context, fixture);
        }
        if (Selected("commit-durable"))
        {
            DatabaseCommitBench.Run(context, fixture);
        }
        if (Selected("readers-during-commits"))
        {
            DatabaseReadersBench.Run(context, fixture);
        }
        if (Selected("open-first-query"))
        {
            DatabaseOpenBench.Run(context, fixture);
        }
    }

    /// <summary>True when <c>BITFUSE_DATABASE_CASES</c> keeps the case group <paramref name="caseName"/>.</summary>
    public static bool Selected(string caseName) => CaseFilter.Selected("BITFUSE_DATABASE_CASES", caseName);

    private static void QueryMapped(CompareContext context, DatabaseFixture fixture)
    {
        using var db = Database.Open(fixture.BasePath, new DatabaseOptions { CheckpointLogBytes = 0 });
        using var snapshot = db.Snapshot();
        var engine = new QueryEngine();
        var all = new List<CompiledQuery>();
        foreach (var set in fixture.DataSets)
        {
            var queries = DatabaseFixture.Windows(set.Names).Select(engine.Compile).ToList();
            Check(queries, snapshot, fixture.Memory, set.Name);
            all.AddRange(queries);
            MeasureCounts(context, $"query-mapped-{set.Name}", queries, snapshot, fixture.Memory);
        }
        MeasureCounts(context, "query-mapped", all, snapshot, fixture.Memory);
    }

    /// <summary>Checks each query's count over the database and over memory against CRoaring's pairwise evaluation.</summary>
    private static void Check(List<CompiledQuery> queries, BitmapSet mapped, BitmapSet memory, string set)
    {
        var croaring = new Dictionary<string, Roaring32Bitmap>(StringComparer.Ordinal);
        try
        {
            foreach (var query in queries)
            {
                foreach (var name in query.Variables)
                {
                    if (!croaring.ContainsKey(name))
                    {
                        croaring[name] = Roaring32Bitmap.FromValues(memory[name].ToArray());
                    }
                }
                var expected = new QueryCroaringBaseline(query.Parsed, croaring, uint.MaxValue).Run(count: true);
                var onDisk = query.Count(mapped);
                var inMemory = query.Count(memory);
                if (onDisk != expected || inMemory != expected)
                {
                    throw new InvalidOperationException($"{set}: '{query.Text}' counts {onDisk} over the database, {inMemory} in memory, croaring {expected}");
                }
            }
        }
        finally
        {
            foreach (var bitmap in croaring.Values)
            {
                bitmap.Dispose();
            }
        }
    }

    private static void MeasureCounts(CompareContext context, string caseName, List<CompiledQuery> queries, Snapshot snapshot, BitmapSet memory)
    {
        long sink = 0;
        BitmapSet mapped = snapshot;
        context.Measure(caseName,
            () =>
            {
                foreach (var query in queries)
                {
                    sink += query.Count(mapped);
                }
            },
            "memory",
            () =>
            {
                foreach (var query in queries)
                {
                    sink += query.Count(memory);
                }
            },
            operationsPerCall: queries.Count);
        GC.KeepAlive(sink);
    }

    private static void Import(CompareContext context, DatabaseFixture fixture)
    {
        // Quick mode imports one mid-sized data set; the full run imports every one.
        var sets = context.Quick ? [fixture.DataSets.OrderBy(s => s.Files.Sum(f => new FileInfo(f).Length)).ElementAt(fixture.DataSets.Count / 2)] : fixture.DataSets;
        var values = sets.Sum(s => s.Names.Sum(n => fixture.Memory[n].Count));
        var target = Path.Combine(fixture.Root, "import.bfdb");
        var files = Path.Combine(fixture.Root, "import-roaring");

        // Check: the imported database holds every bitmap as loaded (files of one name in several sets are
        // added together), and the Roaring files read back equal.
        var (imported, dataFileBytes) = ImportIntoDatabase(target, sets);
        using (var db = Database.Open(target))
        using (var snapshot = db.Snapshot())
        {
            foreach (var group in sets.SelectMany(s => s.Names.Zip(s.Files)).GroupBy(p => Path.GetFileNameWithoutExtension(p.Second)))
            {
                using var expected = new Bitmap();
                foreach (var (name, _) in group)
                {
                    expected.OrInPlace(fixture.Memory[name]);
                }
                if (!snapshot[group.Key].SetEquals(expected))
                {
                    throw new InvalidOperationException($"import: {group.Key} differs from its files");
                }
            }
            if (imported != values)
            {
                throw new InvalidOperationException($"import: {imported} values imported, {values} in the files");
            }
        }
        WriteRoaringFiles(files, sets);
        foreach (var set in sets)
        {
            foreach (var (name, file) in set.Names.Zip(set.Files))
            {
                using var back = Bitmap.DeserializeFile(Path.Combine(files, Path.GetFileNameWithoutExtension(file) + ".roaring"));
                if (!back.SetEquals(fixture.Memory[name]))
                {
                    throw new InvalidOperationException($"frombytes: {name} differs from its file");
                }
            }
        }

        // Each call writes into a new folder (both sides), so no call pays for removing or truncating the last
        // one's files (ext4 writes a truncated-and-rewritten file out at close); the fixture removes them all.
        var calls = 0;
        var row = context.Measure("import", () => ImportIntoDatabase($"{target}-{++calls}", sets), "frombytes", () => WriteRoaringFiles($"{files}-{++calls}", sets), operationsPerCall: values);
        context.Console.MarkupLine($"  [grey]import: {1e3 / row.SubjectNs:F1} M values/s into the database (text parsed, run-optimized, logged, synced, checkpointed), {1e3 / row.BaselineNs:F1} M values/s parsed into bitmaps and written as Roaring files, one new file per name (not synced); {dataFileBytes / (double)values:F2} data-file bytes per value[/]");
    }

    /// <summary>Imports the data sets into a new database at <paramref name="target"/>; returns the values imported and the data file's size.</summary>
    private static (long Values, long DataFileBytes) ImportIntoDatabase(string target, IEnumerable<DatabaseFixture.DataSet> sets)
    {
        using var db = Database.Open(target);
        var importer = new DatabaseImporter(db);
        long values = 0, bytes = 0;
        foreach (var set in sets)
        {
            var summary = importer.ImportDataSets(set.Folder);
            values += summary.Values;
            bytes = summary.DataFileBytes;
        }
        return (values, bytes);
    }

    private static void WriteRoaringFiles(string folder, IEnumerable<DatabaseFixture.DataSet> sets)
    {
        Directory.CreateDirectory(folder);
        foreach (var set in sets)
        {
            foreach (var file in set.Files)
            {
                using var bitmap = BitmapText.Load(file);
                bitmap.SerializeToFile(Path.Combine(folder, Path.GetFileNameWithoutExtension(file) + ".roaring"));
            }
        }
    }
}
