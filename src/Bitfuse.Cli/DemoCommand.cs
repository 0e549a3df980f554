using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Spectre.Console;

namespace Bitfuse.Cli;

/// <summary>
/// <c>bitfuse demo</c>: builds (or reopens) a database from a real data set (or generated data) in a temporary
/// folder, races Bitfuse's fused queries over a snapshot against the same queries evaluated pairwise, then runs
/// the queries over fresh snapshots while a writer thread commits into the very bitmaps they read, and checks
/// every answer against an independent model: the data set parsed into memory, with the writer's commits up to
/// the snapshot's commit applied, evaluated pairwise with <see cref="Bitmap"/> operations. Then a generated table
/// goes into a second database as typed fields for a range-and-filter query, TopN, sum and group-by (<see cref="DemoFields"/>).
/// </summary>
internal static class DemoCommand
{
    private const int ValuesPerCommit = 100;

    public static Command Create()
    {
        var data = new Option<string?>("--data") { Description = "The real-data folder (default: ../shared/datasets/realdata, searched upwards; generated data when absent)." };
        var dataset = new Option<string>("--dataset") { Description = "Which data set of the folder (default census-income).", DefaultValueFactory = _ => "census-income" };
        var generate = new Option<bool>("--generate") { Description = "Use generated data even when real data is present." };
        var folder = new Option<string?>("--db") { Description = "The database folder (default: bitfuse-demo/<data set> in the temporary folder); reopened when it holds the data set unchanged." };
        var runs = new Option<int>("--runs") { Description = "Timed warm runs per query and side, after three untimed ones; the median is shown (default 5).", DefaultValueFactory = _ => 5 };
        var tableRows = new Option<int>("--table-rows") { Description = "Rows of the generated table imported as typed fields for the range, TopN, sum and group-by queries (default 1,000,000).", DefaultValueFactory = _ => 1_000_000 };
        var commits = new Option<int>("--commits") { Description = "Commits the writer makes while the readers check (default 200; even, so the data ends as it began).", DefaultValueFactory = _ => 200 };
        var json = JsonOutput.Switch("the results");
        var output = JsonOutput.File();
        var command = new Command("demo", "Build a database from a real data set, race fused queries against pairwise bitmap operations, and check every answer while a writer commits.")
        {
            data, dataset, generate, folder, runs, commits, tableRows, json, output,
        };
        command.SetAction(parse =>
        {
            var rounds = parse.GetValue(runs);
            if (rounds < 1)
            {
                throw new UserException("--runs must be 1 or more");
            }
            var writes = parse.GetValue(commits);
            if (writes < 2 || writes % 2 != 0)
            {
                throw new UserException("--commits must be an even number, 2 or more");
            }
            var rowsOfTable = parse.GetValue(tableRows);
            if (rowsOfTable < 1000)
            {
                throw new UserException("--table-rows must be 1000 or more");
            }
            var realData = parse.GetValue(generate) ? null : DemoData.FindRealData(parse.GetValue(data));
            string source, setFolder = "";
            BitmapSet inputs;
            if (realData is not null)
            {
                setFolder = Path.Combine(realData, parse.GetValue(dataset)!);
                if (!Directory.Exists(setFolder))
                {
                    var known = Directory.GetDirectories(realData).Select(Path.GetFileName).ToArray();
                    throw new UserException($"no data set '{parse.GetValue(dataset)}' in {realData}; there are: {string.Join(", ", known)}");
                }
                inputs = QueryInputs.FromDataSet(setFolder);
                source = $"{Path.GetFileName(setFolder)} ({realData})";
            }
            else
            {
                inputs = DemoData.Generate();
                source = "generated: 200 bitmaps over 4,194,304 rows (no real-data folder found)";
            }
            using (inputs)
            {
                var dbFolder = parse.GetValue(folder) ?? Path.Combine(Path.GetTempPath(), "bitfuse-demo", realData is null ? "generated" : Path.GetFileName(setFolder));
                var report = Run(inputs, source, realData is null ? null : setFolder, dbFolder, rounds, writes, rowsOfTable);
                JsonOutput.Emit(report, parse, json, output, () => Render(report));
            }
            return CommandLineRunner.ExitOk;
        });
        return command;
    }

    /// <summary>
    /// The demo's queries over <paramref name="names"/>: the data set's 16 largest bitmaps, largest first
    /// (so the answers are not trivially empty), and <paramref name="all"/> for the wide OR.
    /// </summary>
    public static IReadOnlyList<(string Title, string Text)> Queries(IReadOnlyList<string> names, IReadOnlyList<string> all)
    {
        string N(int i) => names[i];
        return
        [
            ("two-way and", $"{N(0)} & {N(1)}"),
            ("segment minus churn", $"({N(2)} | {N(3)}) & !{N(4)}"),
            ("eight-way and", string.Join(" & ", Enumerable.Range(0, 8).Select(N))),
            ("mixed, six inputs", $"({N(5)} & {N(6)}) | ({N(7)} - {N(8)}) | ({N(9)} ^ {N(10)})"),
            ("sixteen inputs", $"(({N(0)} & {N(1)}) | ({N(2)} & !{N(3)})) & (({N(4)} | {N(5)}) ^ ({N(6)} & {N(7)})) | (({N(8)} & !{N(9)}) | ({N(10)} ^ {N(11)})) & !({N(12)} & ({N(13)} | {N(14)}) & !{N(15)})"),
            ($"or of all {all.Count}", string.Join(" | ", all)),
        ];
    }

    private static DemoReport Run(BitmapSet model, string source, string? setFolder, string dbFolder, int rounds, int writes, int tableRows)
    {
        if (model.Names.Count < 16)
        {
            throw new UserException($"the demo needs at least 16 bitmaps; the data set has {model.Names.Count}");
        }
        var opened = Stopwatch.GetTimestamp();
        var (db, how) = OpenOrBuild(model, setFolder, dbFolder);
        using (db)
        {
            var openMs = Stopwatch.GetElapsedTime(opened).TotalMilliseconds;
            var onDisk = db.Statistics;
            var engine = new QueryEngine();
            var largest = model.Names.OrderByDescending(n => model[n].Count).ThenBy(n => n, StringComparer.Ordinal).Take(16).ToArray();
            var queries = Queries(largest, model.Names).Select(q => (q.Title, Query: QueryCommand.Compile(q.Text, engine))).ToList();
            var shown = Queries(largest, model.Names).Select(q => q.Text).ToList();
            var universe = model.Names.Max(n => model[n].IsEmpty ? 0 : model[n].Max + 1L);

            // The race: fused over a snapshot (mapped pages) against pairwise over the same snapshot.
            var rows = new List<DemoRow>();
            using (var snapshot = db.Snapshot())
            {
                for (var q = 0; q < queries.Count; q++)
                {
                    var (title, query) = queries[q];
                    var expected = Model(query, model, [], snapshot.Lsn);
                    using (var fused = query.Evaluate(snapshot))
                    {
                        if (fused.Count != expected)
                        {
                            throw new InvalidOperationException($"'{title}': the fused answer over the database ({fused.Count}) differs from the model's ({expected})");
                        }
                    }
                    rows.Add(Race(title, shown[q], query, snapshot, rounds));
                }
            }

            // Readers check every answer while a writer commits into the bitmaps they read.
            var concurrent = ReadersDuringCommits(db, model, largest, queries.Select(q => q.Query).ToArray(), universe, writes);
            var problems = db.Verify();
            if (problems.Count > 0)
            {
                throw new InvalidOperationException($"verify after the demo: {problems[0].Message}");
            }
            // Typed fields in a database of their own beside the data set's, so the data set's database reopens unchanged.
            var fields = DemoFields.Run(Path.TrimEndingDirectorySeparator(Path.GetFullPath(dbFolder)) + "-fields", tableRows, rounds);
            var stats = engine.Kernels.Statistics;
            return new DemoReport(source, model.Names.Count, QueryInputs.TotalValues(model), db.FolderPath, how, openMs, onDisk.DataFileBytes + onDisk.LogBytes,
                engine.Kernels.Width.ToString(), rounds, stats.Kernels, stats.CompileTime.TotalMilliseconds, rows, concurrent, fields);
        }
    }

    /// <summary>Reopens the database when it holds the model's bitmaps unchanged; otherwise builds it anew.</summary>
    private static (Database Db, string How) OpenOrBuild(BitmapSet model, string? setFolder, string folder)
    {
        if (File.Exists(Path.Combine(folder, "data")))
        {
            var db = Database.Open(folder, new DatabaseOptions { CreateIfMissing = false });
            using (var snapshot = db.Snapshot())
            {
                if (snapshot.Count == model.Names.Count && model.Names.All(n => snapshot.Contains(n) && snapshot[n].SetEquals(model[n])))
                {
                    return (db, "reopened");
                }
            }
            db.Dispose();
        }
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }
        var built = Database.Open(folder);
        if (setFolder is not null)
        {
            new DatabaseImporter(built).ImportDataSets(setFolder);
        }
        else
        {
            using (var tx = built.BeginWrite())
            {
                foreach (var name in model.Names)
                {
                    tx.Set(name, model[name]);
                }
                tx.Commit();
            }
            built.Checkpoint();
        }
        return (built, "built");
    }

    private static DemoRow Race(string title, string shown, CompiledQuery query, BitmapSet snapshot, int rounds)
    {
        var universe = Universe(query, snapshot);
        // Warm up both sides (JIT tiers, kernel cache, plan cache) before timing.
        for (var w = 0; w < 3; w++)
        {
            using (query.Evaluate(snapshot))
            using (DemoPairwise.Evaluate(query.Parsed, snapshot, universe))
            {
            }
        }
        var fusedTimes = new List<double>();
        var pairwiseTimes = new List<double>();
        long count = 0;
        for (var r = 0; r < rounds; r++)
        {
            var start = Stopwatch.GetTimestamp();
            using (var result = query.Evaluate(snapshot))
            {
                count = result.Count;
            }
            fusedTimes.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            start = Stopwatch.GetTimestamp();
            using (DemoPairwise.Evaluate(query.Parsed, snapshot, universe))
            {
            }
            pairwiseTimes.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }
        var fusedMs = Median(fusedTimes);
        var pairwiseMs = Median(pairwiseTimes);
        return new DemoRow(title, shown, count, fusedMs, pairwiseMs, pairwiseMs / fusedMs);
    }

    /// <summary>
    /// A writer thread commits <paramref name="writes"/> batches: 100 values a bitmap lacks added, then the same
    /// values removed, into the 16 bitmaps the queries read (so the data ends as it began). Meanwhile this thread
    /// takes a snapshot, runs a query over it, and checks the answer against the model as of the snapshot's commit.
    /// </summary>
    private static ConcurrentReport ReadersDuringCommits(Database db, BitmapSet model, string[] names, CompiledQuery[] queries, long universe, int writes)
    {
        var committed = new List<Change>();
        var gate = new Lock();
        var latencies = new List<double>(writes);
        long firstLsn;
        using (var s = db.Snapshot())
        {
            firstLsn = s.Lsn;
        }
        Exception? failure = null;
        var done = 0;
        var writer = new Thread(() =>
        {
            try
            {
                var random = new Random(2026);
                var batch = new List<uint>();
                var name = names[0];
                for (var k = 0; k < writes; k++)
                {
                    var add = k % 2 == 0;
                    if (add)
                    {
                        name = names[random.Next(names.Length)];
                        batch = [];
                        using var snapshot = db.Snapshot();
                        var bitmap = snapshot[name];
                        for (var attempt = 0; batch.Count < ValuesPerCommit && attempt < 100 * ValuesPerCommit; attempt++)
                        {
                            var v = (uint)random.NextInt64(Math.Max(1, universe));
                            if (!bitmap.Contains(v) && !batch.Contains(v))
                            {
                                batch.Add(v);
                            }
                        }
                    }
                    // Recorded before the commit, under the LSN it will get (one writer: LSNs follow one by one),
                    // so a reader whose snapshot includes the commit always finds it here.
                    lock (gate)
                    {
                        committed.Add(new Change(firstLsn + k + 1, name, [.. batch], add));
                    }
                    var start = Stopwatch.GetTimestamp();
                    using (var tx = db.BeginWrite())
                    {
                        if (add)
                        {
                            tx.Add(name, System.Runtime.InteropServices.CollectionsMarshal.AsSpan(batch));
                        }
                        else
                        {
                            tx.Remove(name, System.Runtime.InteropServices.CollectionsMarshal.AsSpan(batch));
                        }
                        tx.Commit();
                    }
                    latencies.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                }
            }
            catch (Exception e)
            {
                failure = e;
            }
            finally
            {
                Volatile.Write(ref done, 1);
            }
        })
        { Name = "demo-writer" };

        var started = Stopwatch.GetTimestamp();
        writer.Start();
        long checkedAnswers = 0;
        var versions = new HashSet<long>();
        var i = 0;
        // At least one check per query, then until the writer is through.
        while (Volatile.Read(ref done) == 0 || i < queries.Length)
        {
            var query = queries[i++ % queries.Length];
            using var snapshot = db.Snapshot();
            var fused = query.Count(snapshot);
            Change[] changes;
            lock (gate)
            {
                changes = [.. committed];
            }
            var expected = Model(query, model, changes, snapshot.Lsn);
            if (fused != expected)
            {
                throw new InvalidOperationException($"'{query.Text}' over the snapshot at commit {snapshot.Lsn} counts {fused}; the model counts {expected}");
            }
            checkedAnswers++;
            versions.Add(snapshot.Lsn);
        }
        writer.Join();
        if (failure is not null)
        {
            throw new InvalidOperationException($"the demo's writer failed: {failure.Message}", failure);
        }
        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        latencies.Sort();
        return new ConcurrentReport(writes, ValuesPerCommit, writes / seconds, Percentile(latencies, 0.50), Percentile(latencies, 0.99),
            checkedAnswers, versions.Count, seconds * 1000);
    }

    /// <summary>
    /// The independent answer: the query's inputs copied from the in-memory data set, with every change committed
    /// up to <paramref name="lsn"/> applied, evaluated pairwise (one Bitmap operation per operator).
    /// </summary>
    private static long Model(CompiledQuery query, BitmapSet original, IReadOnlyList<Change> changes, long lsn)
    {
        var inputs = new BitmapSet();
        var copies = new List<Bitmap>();
        try
        {
            foreach (var name in query.Variables)
            {
                if (inputs.ContainsKey(name))
                {
                    continue;
                }
                var source = original[name];
                if (changes.Any(c => c.Lsn <= lsn && c.Name == name))
                {
                    var copy = source.Clone();
                    copies.Add(copy);
                    foreach (var change in changes)
                    {
                        if (change.Lsn <= lsn && change.Name == name)
                        {
                            if (change.Add)
                            {
                                copy.AddMany(change.Values);
                            }
                            else
                            {
                                foreach (var v in change.Values)
                                {
                                    copy.Remove(v);
                                }
                            }
                        }
                    }
                    source = copy;
                }
                inputs[name] = source;
            }
            using var answer = DemoPairwise.Evaluate(query.Parsed, inputs, Universe(query, inputs));
            return answer.Count;
        }
        finally
        {
            foreach (var copy in copies)
            {
                copy.Dispose();
            }
        }
    }

    /// <summary>The default universe of a query, as the engine takes it: one past the largest value of its inputs.</summary>
    private static long Universe(CompiledQuery query, BitmapSet inputs)
    {
        long universe = 0;
        foreach (var name in query.Variables)
        {
            var bitmap = inputs[name];
            if (!bitmap.IsEmpty)
            {
                universe = Math.Max(universe, bitmap.Max + 1L);
            }
        }
        return universe;
    }

    private static void Render(DemoReport report)
    {
        AnsiConsole.MarkupLine($"[bold]data[/]: {Markup.Escape(report.Source)}: {report.Bitmaps} bitmaps, {report.Values:N0} values");
        AnsiConsole.MarkupLine($"[bold]database[/]: {Markup.Escape(report.Database)} {report.Opened} in {report.OpenMs:F0} ms, {DbCommand.Bytes(report.BytesOnDisk)} on disk; queries read its mapped pages through a snapshot");
        AnsiConsole.MarkupLine($"[bold]kernels[/]: {Markup.Escape(report.KernelWidth)}, times are warm: the median of {report.Runs} runs after 3 untimed ones; pairwise = one Bitmap operation per operator, over the same snapshot");
        var table = new Table().Border(TableBorder.Rounded)
            .AddColumn("query").AddColumn(new TableColumn("answer").RightAligned())
            .AddColumn(new TableColumn("bitfuse (warm)").RightAligned()).AddColumn(new TableColumn("pairwise (warm)").RightAligned())
            .AddColumn(new TableColumn("speedup").RightAligned());
        foreach (var row in report.Queries)
        {
            var shown = row.Query.Length > 60 ? row.Query[..57] + "..." : row.Query;
            table.AddRow(
                $"[bold]{Markup.Escape(row.Title)}[/]\n[grey]{Markup.Escape(shown)}[/]",
                row.Count.ToString("N0", CultureInfo.InvariantCulture),
                Ms(row.BitfuseMs), Ms(row.PairwiseMs),
                (row.Speedup >= 1 ? "[green]" : "[yellow]") + row.Speedup.ToString("F2", CultureInfo.InvariantCulture) + "x[/]");
        }
        AnsiConsole.Write(table);
        var f = report.Fields;
        AnsiConsole.MarkupLine($"[bold]typed fields[/]: a generated table of {f.Rows:N0} rows (city set, country/os mutex, churned bool, age/income/sessions int) imported from CSV into {Markup.Escape(f.Database)} in {f.ImportMs:F0} ms, {DbCommand.Bytes(f.BytesOnDisk)} on disk");
        var fieldTable = new Table().Border(TableBorder.Rounded)
            .AddColumn("query").AddColumn(new TableColumn("answer").RightAligned())
            .AddColumn(new TableColumn("bitfuse (cold)").RightAligned()).AddColumn(new TableColumn("bitfuse (warm)").RightAligned());
        foreach (var row in f.Queries)
        {
            fieldTable.AddRow($"[bold]{Markup.Escape(row.Title)}[/]\n[grey]{Markup.Escape(row.Query)}[/]", Markup.Escape(row.Answer), Ms(row.ColdMs), Ms(row.BitfuseMs));
        }
        AnsiConsole.Write(fieldTable);
        AnsiConsole.MarkupLine("  each answer [green]equal[/] to LINQ over the table's columns (the CSV read with a plain split); ranges run fused into the filter's kernel");
        var c = report.Concurrent;
        AnsiConsole.MarkupLine($"[bold]while a writer committed[/] {c.Commits} batches of {c.ValuesPerCommit} values into the bitmaps these queries read ({c.CommitsPerSecond:F0} durable commits/s, latency p50 {c.CommitP50Ms:F2} ms, p99 {c.CommitP99Ms:F2} ms),");
        AnsiConsole.MarkupLine($"  {c.AnswersChecked:N0} answers over snapshots of {c.VersionsSeen} versions were each [green]equal[/] to the model at the snapshot's commit (the data set in memory plus the commits up to it, evaluated pairwise)");
        AnsiConsole.MarkupLine($"[grey]{report.Kernels} kernels compiled in {report.CompileMs:F2} ms; every answer checked; the writer's adds and removes cancel out, and verify found the database sound[/]");
    }

    private static string Ms(double ms) => ms.ToString(ms < 10 ? "F3" : "F1", CultureInfo.InvariantCulture) + " ms";

    private static double Median(List<double> values)
    {
        values.Sort();
        return values.Count % 2 == 1 ? values[values.Count / 2] : (values[(values.Count / 2) - 1] + values[values.Count / 2]) / 2;
    }

    private static double Percentile(List<double> sorted, double q) =>
        sorted.Count == 0 ? 0 : sorted[Math.Clamp((int)Math.Ceiling(q * sorted.Count) - 1, 0, sorted.Count - 1)];

    private sealed record Change(long Lsn, string Name, uint[] Values, bool Add);

    private sealed record DemoRow(string Title, string Query, long Count, double BitfuseMs, double PairwiseMs, double Speedup);

    private sealed record ConcurrentReport(int Commits, int ValuesPerCommit, double CommitsPerSecond, double CommitP50Ms, double CommitP99Ms,
        long AnswersChecked, int VersionsSeen, double ElapsedMs);

    private sealed record DemoReport(string Source, int Bitmaps, long Values, string Database, string Opened, double OpenMs, long BytesOnDisk,
        string KernelWidth, int Runs, int Kernels, double CompileMs, List<DemoRow> Queries, ConcurrentReport Concurrent, DemoFields.FieldsReport Fields);
}
