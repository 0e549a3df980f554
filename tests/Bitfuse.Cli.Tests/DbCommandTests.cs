using System.Text.Json;

namespace Bitfuse.Cli.Tests;

/// <summary>The <c>db</c> verbs run as a user runs them, on a temp folder, checked against the in-memory bitmaps.</summary>
[Collection(ConsoleCollection.Name)]
public sealed class DbCommandTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "bitfuse-dbcli-" + Guid.NewGuid().ToString("N"));

    public DbCommandTests() => Directory.CreateDirectory(_folder);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string Db => Path.Combine(_folder, "test.bfdb");

    /// <summary>A small real data set (census1881, 200 bitmaps), or a generated one of the same layout when the shared data is absent.</summary>
    private string SmallDataSet()
    {
        if (DemoData.FindRealData(null) is { } real && Directory.Exists(Path.Combine(real, "census1881")))
        {
            return Path.Combine(real, "census1881");
        }
        var folder = Path.Combine(_folder, "generated");
        Directory.CreateDirectory(folder);
        var random = new Random(5);
        for (var i = 0; i < 40; i++)
        {
            var values = Enumerable.Range(0, 3000).Select(_ => random.Next(0, 1 << 20)).Distinct().Order();
            File.WriteAllText(Path.Combine(folder, $"gen.csv{i}.txt"), string.Join(",", values));
        }
        return folder;
    }

    [Fact]
    public void Import_a_real_data_set_then_queries_count_what_the_in_memory_bitmaps_count()
    {
        var dataSet = SmallDataSet();
        var (exit, output, error) = CliRun.Capture("db", "import", "--db", Db, "--dataset", dataSet, "--json");
        Assert.True(exit == 0, error);
        using var inMemory = BitmapSet.LoadFolder(dataSet);
        using (var summary = JsonDocument.Parse(output))
        {
            Assert.Equal(inMemory.Count, summary.RootElement.GetProperty("names").GetInt32());
            Assert.Equal(inMemory.Values.Sum(b => b.Count), summary.RootElement.GetProperty("values").GetInt64());
            Assert.True(summary.RootElement.GetProperty("data_file_bytes").GetInt64() > 8192);
        }

        var names = inMemory.Names;
        var engine = new QueryEngine();
        string[] queries =
        [
            $"{names[0]} | {names[1]}",
            $"{names[2]} & !{names[3]}",
            $"({names[4]} | {names[5]} | {names[6]}) - {names[7]}",
            $"{names[8]} ^ {names[9]}",
            string.Join(" | ", names.Take(30)),
        ];
        foreach (var text in queries)
        {
            (exit, output, error) = CliRun.Capture("db", "query", "--db", Db, text, "--count", "--json");
            Assert.True(exit == 0, error);
            using var answer = JsonDocument.Parse(output);
            Assert.Equal(engine.Compile(text).Count(inMemory), answer.RootElement.GetProperty("count").GetInt64());
        }

        (exit, output, error) = CliRun.Capture("db", "stats", "--db", Db, "--json");
        Assert.True(exit == 0, error);
        using (var stats = JsonDocument.Parse(output))
        {
            var rows = stats.RootElement.GetProperty("bitmaps").EnumerateArray().ToArray();
            Assert.Equal(inMemory.Count, rows.Length);
            var first = rows.Single(r => r.GetProperty("name").GetString() == names[0]);
            Assert.Equal(inMemory[names[0]].Count, first.GetProperty("values").GetInt64());
            Assert.Equal(stats.RootElement.GetProperty("lsn").GetInt64(), stats.RootElement.GetProperty("checkpoint_lsn").GetInt64());
        }
        (exit, output, error) = CliRun.Capture("db", "verify", "--db", Db);
        Assert.True(exit == 0, error);
        Assert.Contains("every checksum and structure sound", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Add_remove_checkpoint_and_export_round_trip_through_csv_and_roaring_files()
    {
        Assert.Equal(0, CliRun.Capture("db", "create", "--db", Db).Exit);
        Assert.Equal(0, CliRun.Capture("db", "add", "--db", Db, "os:ios", "1,2,3", "70000", "4000000000").Exit);
        Assert.Equal(0, CliRun.Capture("db", "add", "--db", Db, "a/b,c", "5", "6").Exit);
        var (exit, output, error) = CliRun.Capture("db", "remove", "--db", Db, "os:ios", "2", "--json");
        Assert.True(exit == 0, error);
        using (var removed = JsonDocument.Parse(output))
        {
            Assert.Equal(4, removed.RootElement.GetProperty("cardinality").GetInt64());
        }
        (exit, _, error) = CliRun.Capture("db", "checkpoint", "--db", Db);
        Assert.True(exit == 0, error);

        var csv = Path.Combine(_folder, "out.csv");
        (exit, _, error) = CliRun.Capture("db", "export", "--db", Db, "--csv", csv);
        Assert.True(exit == 0, error);
        Assert.Equal(["a/b,c,5", "a/b,c,6", "os:ios,1", "os:ios,3", "os:ios,70000", "os:ios,4000000000"], File.ReadAllLines(csv));

        var roaring = Path.Combine(_folder, "roaring");
        (exit, _, error) = CliRun.Capture("db", "export", "--db", Db, "--roaring", roaring);
        Assert.True(exit == 0, error);
        var copy = Path.Combine(_folder, "copy.bfdb");
        (exit, _, error) = CliRun.Capture("db", "import", "--db", copy, "--roaring", roaring);
        Assert.True(exit == 0, error);
        var csvCopy = Path.Combine(_folder, "copy.csv");
        Assert.Equal(0, CliRun.Capture("db", "export", "--db", copy, "--csv", csvCopy).Exit);
        Assert.Equal(File.ReadAllLines(csv), File.ReadAllLines(csvCopy));

        var fromCsv = Path.Combine(_folder, "from-csv.bfdb");
        (exit, _, error) = CliRun.Capture("db", "import", "--db", fromCsv, "--csv", csv);
        Assert.True(exit == 0, error);
        (exit, output, _) = CliRun.Capture("db", "query", "--db", fromCsv, "\"a/b,c\" | os:ios", "--values");
        Assert.Equal(0, exit);
        Assert.Equal(["1", "3", "5", "6", "70000", "4000000000"], output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Take(6));
    }

    [Fact]
    public void A_bad_csv_line_names_file_and_line_and_commits_nothing()
    {
        Assert.Equal(0, CliRun.Capture("db", "add", "--db", Db, "kept", "9").Exit);
        var csv = Path.Combine(_folder, "bad.csv");
        File.WriteAllLines(csv, ["name,value", "a,1", "b,2", "a,x17", "c,3"]);
        var (exit, _, error) = CliRun.Capture("db", "import", "--db", Db, "--csv", csv);
        Assert.Equal(1, exit);
        var line = OneLine(error);
        Assert.Contains($"'{csv}' line 4: the value 'x17' is not an unsigned 32-bit integer", line, StringComparison.Ordinal);
        Assert.Contains("nothing of this import was committed", line, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
        Assert.Single(error.Trim().Split('\n'));

        (exit, var output, error) = CliRun.Capture("db", "stats", "--db", Db, "--json");
        Assert.True(exit == 0, error);
        using var stats = JsonDocument.Parse(output);
        Assert.Equal(1, stats.RootElement.GetProperty("names").GetInt32());
        Assert.Equal(1, stats.RootElement.GetProperty("lsn").GetInt64());
    }

    [Fact]
    public void A_rejected_import_into_a_new_database_leaves_nothing_behind()
    {
        var csv = Path.Combine(_folder, "bad.csv");
        File.WriteAllLines(csv, ["a,1", "b,-2"]);
        var (exit, _, error) = CliRun.Capture("db", "import", "--db", Db, "--csv", csv);
        Assert.Equal(1, exit);
        Assert.Contains($"'{csv}' line 2", error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Db), "the rejected import left its database folder behind");

        // A folder that existed keeps what it held, and loses only what the import created.
        var existing = Path.Combine(_folder, "existing");
        Directory.CreateDirectory(existing);
        File.WriteAllText(Path.Combine(existing, "notes.txt"), "mine");
        (exit, _, _) = CliRun.Capture("db", "import", "--db", existing, "--csv", csv);
        Assert.Equal(1, exit);
        Assert.Equal([Path.Combine(existing, "notes.txt")], Directory.GetFileSystemEntries(existing));
    }

    [Fact]
    public void Quoted_csv_names_lose_their_quotes_and_round_trip_through_export()
    {
        var csv = Path.Combine(_folder, "quoted.csv");
        File.WriteAllLines(csv, ["\"name\",\"value\"", "\"os:ios\",1", "\"a,b\",2", "\"say \"\"hi\"\"\", 3", "plain,\"4\"", "\"os:ios\",5"]);
        var (exit, _, error) = CliRun.Capture("db", "import", "--db", Db, "--csv", csv);
        Assert.True(exit == 0, error);
        var export = Path.Combine(_folder, "out.csv");
        Assert.Equal(0, CliRun.Capture("db", "export", "--db", Db, "--csv", export).Exit);
        Assert.Equal(["a,b,2", "os:ios,1", "os:ios,5", "plain,4", "\"say \"\"hi\"\"\",3"], File.ReadAllLines(export));

        var copy = Path.Combine(_folder, "copy.bfdb");
        Assert.Equal(0, CliRun.Capture("db", "import", "--db", copy, "--csv", export).Exit);
        var again = Path.Combine(_folder, "again.csv");
        Assert.Equal(0, CliRun.Capture("db", "export", "--db", copy, "--csv", again).Exit);
        Assert.Equal(File.ReadAllLines(export), File.ReadAllLines(again));

        File.WriteAllLines(csv, ["\"open,1"]);
        (exit, _, error) = CliRun.Capture("db", "import", "--db", copy, "--csv", csv);
        Assert.Equal(1, exit);
        Assert.Contains("line 1: the quoted name in '\"open,1' has no closing quote", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_names_are_usage_errors_and_a_missing_database_is_a_failure()
    {
        Assert.Equal(0, CliRun.Capture("db", "add", "--db", Db, "segment", "1").Exit);
        var (exit, _, error) = CliRun.Capture("db", "query", "--db", Db, "segmnt & x");
        Assert.Equal(2, exit);
        Assert.Contains("unknown bitmap 'segmnt'; did you mean 'segment'", OneLine(error), StringComparison.Ordinal);
        (exit, _, error) = CliRun.Capture("db", "export", "--db", Db, "--csv", Path.Combine(_folder, "x.csv"), "--name", "nope");
        Assert.Equal(2, exit);
        Assert.Contains("unknown bitmap 'nope'", OneLine(error), StringComparison.Ordinal);
        (exit, _, error) = CliRun.Capture("db", "stats", "--db", Path.Combine(_folder, "absent"));
        Assert.Equal(1, exit);
        Assert.Contains("No database at", OneLine(error), StringComparison.Ordinal);
        Assert.Equal(2, CliRun.Capture("db", "import", "--db", Db).Exit);
        Assert.Equal(1, CliRun.Capture("db", "create", "--db", Db).Exit);
    }

    [Fact]
    public void Every_db_verb_prints_only_its_json_report_under_json_and_writes_the_same_to_output()
    {
        var csv = Path.Combine(_folder, "in.csv");
        File.WriteAllLines(csv, ["a,1", "a,2", "b,70000"]);
        var export = Path.Combine(_folder, "out.csv");
        (string[] Args, string Property, string Expected)[] runs =
        [
            (["db", "create", "--db", Db], "database", Path.GetFullPath(Db)),
            (["db", "import", "--db", Db, "--csv", csv], "values", "3"),
            (["db", "add", "--db", Db, "c", "5", "6"], "cardinality", "2"),
            (["db", "remove", "--db", Db, "c", "6"], "cardinality", "1"),
            (["db", "query", "--db", Db, "a | c", "--count"], "count", "3"),
            (["db", "checkpoint", "--db", Db], "checkpoint_lsn", "3"),
            (["db", "stats", "--db", Db], "values", "4"),
            (["db", "verify", "--db", Db], "ok", "true"),
            (["db", "export", "--db", Db, "--csv", export], "values", "4"),
        ];
        foreach (var (args, property, expected) in runs)
        {
            var report = Path.Combine(_folder, args[1] + ".json");
            var (exit, output, error) = CliRun.Capture([.. args, "--json", "--output", report]);
            Assert.True(exit == 0, $"{args[1]}: {error}");
            using var doc = JsonDocument.Parse(output);
            Assert.Equal(expected, doc.RootElement.GetProperty(property).ToString().ToLowerInvariant());
            Assert.Equal(output, File.ReadAllText(report));
        }

        var text = Path.Combine(_folder, "stats-text.json");
        var (textExit, textOutput, _) = CliRun.Capture("db", "stats", "--db", Db, "--output", text);
        Assert.Equal(0, textExit);
        Assert.Contains($"wrote {text}", textOutput, StringComparison.Ordinal);
        using var written = JsonDocument.Parse(File.ReadAllText(text));
        Assert.Equal(3, written.RootElement.GetProperty("names").GetInt32());
    }

    [Fact]
    public void Under_json_errors_are_json_on_stdout_with_the_exit_code()
    {
        var csv = Path.Combine(_folder, "bad.csv");
        File.WriteAllLines(csv, ["a,1", "b,2", "a,x17"]);
        var (exit, output, error) = CliRun.Capture("db", "import", "--db", Db, "--csv", csv, "--json");
        Assert.Equal(1, exit);
        Assert.Equal("", error);
        using (var failure = JsonDocument.Parse(output))
        {
            var detail = failure.RootElement.GetProperty("error");
            Assert.Contains($"'{csv}' line 3", detail.GetProperty("message").GetString(), StringComparison.Ordinal);
            Assert.Equal("failure", detail.GetProperty("kind").GetString());
            Assert.Equal(1, detail.GetProperty("exit_code").GetInt32());
        }

        Assert.Equal(0, CliRun.Capture("db", "add", "--db", Db, "segment", "1").Exit);
        (exit, output, error) = CliRun.Capture("db", "query", "--db", Db, "segmnt | segment", "--json");
        Assert.Equal(2, exit);
        Assert.Equal("", error);
        using var usage = JsonDocument.Parse(output);
        Assert.Contains("unknown bitmap 'segmnt'", usage.RootElement.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal("usage", usage.RootElement.GetProperty("error").GetProperty("kind").GetString());
    }

    [Fact]
    public void A_second_opener_gets_one_line_naming_the_holder()
    {
        Assert.Equal(0, CliRun.Capture("db", "add", "--db", Db, "a", "1").Exit);
        using (Database.Open(Db))
        {
            var (exit, _, error) = CliRun.Capture("db", "add", "--db", Db, "a", "2");
            Assert.Equal(1, exit);
            Assert.Contains("is open in another process", OneLine(error), StringComparison.Ordinal);
            Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
        }
        var (_, output, _) = CliRun.Capture("db", "query", "--db", Db, "a", "--values");
        Assert.Equal("1", output.Split('\n')[0]);
    }

    [Fact]
    public void Verify_lists_a_corrupt_bitmap_with_file_and_offset_and_exits_1()
    {
        Assert.Equal(0, CliRun.Capture("db", "add", "--db", Db, "a", "1", "2", "3").Exit);
        Assert.Equal(0, CliRun.Capture("db", "add", "--db", Db, "b", "4").Exit);
        Assert.Equal(0, CliRun.Capture("db", "checkpoint", "--db", Db).Exit);
        var data = Path.Combine(Db, "data");
        using (var file = File.Open(data, FileMode.Open, FileAccess.ReadWrite))
        {
            // The first frame's body starts 64 bytes after the two 4 KiB meta pages.
            file.Position = 8192 + 64 + 8;
            var b = file.ReadByte();
            file.Position = 8192 + 64 + 8;
            file.WriteByte((byte)(b ^ 0x10));
        }
        var (exit, output, error) = CliRun.Capture("db", "verify", "--db", Db, "--json");
        Assert.Equal(1, exit);
        using var report = JsonDocument.Parse(output);
        Assert.False(report.RootElement.GetProperty("ok").GetBoolean());
        var problem = Assert.Single(report.RootElement.GetProperty("problems").EnumerateArray());
        Assert.Equal(Path.GetFullPath(data), problem.GetProperty("file").GetString());
        Assert.Equal(8192 + 64, problem.GetProperty("offset").GetInt64());

        (exit, _, error) = CliRun.Capture("db", "verify", "--db", Db);
        Assert.Equal(1, exit);
        Assert.Contains("is corrupt at byte offset 8256", OneLine(error), StringComparison.Ordinal);
    }

    // The console wraps long lines; compare with white space collapsed.
    private static string OneLine(string text) => System.Text.RegularExpressions.Regex.Replace(text, @"\s+", " ");
}
