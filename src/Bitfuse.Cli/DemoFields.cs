using System.Diagnostics;
using System.Globalization;
using Bitfuse.Fields;

namespace Bitfuse.Cli;

/// <summary>
/// The typed-field part of <c>bitfuse demo</c>: a generated user table (<see cref="TableGenerator"/>) written as CSV,
/// imported into its own database as fields (<see cref="DatabaseImporter.ImportTable"/>), and queried over a snapshot
/// with a range-and-filter query and aggregates (TopN, sum, group-by). Each answer is checked against an independent
/// model: LINQ over the CSV's columns, read with a plain split. Times are taken as for the other demo queries.
/// </summary>
internal static class DemoFields
{
    /// <summary>Builds the table's database in <paramref name="folder"/> (anew each run), times and checks the queries.</summary>
    public static FieldsReport Run(string folder, int rows, int rounds)
    {
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }
        Directory.CreateDirectory(folder);
        var csv = Path.Combine(folder, "table.csv");
        using (var writer = new StreamWriter(csv))
        {
            TableGenerator.WriteCsv(writer, rows);
        }
        var table = Columns.Read(csv);
        var started = Stopwatch.GetTimestamp();
        using var db = Database.Open(Path.Combine(folder, "db"));
        new DatabaseImporter(db).ImportTable(csv, TableGenerator.ColumnKinds);
        var importMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        var stats = db.Statistics;
        File.Delete(csv);

        var engine = new QueryEngine();
        var options = new QueryRunOptions { UniverseEnd = rows };
        var results = new List<FieldRow>();
        using var snapshot = db.Snapshot();

        const string Range = "18 <= age < 30 & (city:c1 | city:c2) & !churned";
        var range = engine.Compile(Range);
        var expectedRange = table.Rows.Count(r => 18 <= table.Age[r] && table.Age[r] < 30 && (table.In(r, "c1") || table.In(r, "c2")) && !table.Churned[r]);
        results.Add(Timed("range and filter", Range, rounds, () => range.Count(snapshot, options), count =>
        {
            Check(Range, count == expectedRange, $"{count}", $"{expectedRange}");
            return Number(count);
        }));

        const string Top = "topn(city, 10, 25 <= age < 40 & !churned)";
        var expectedTop = table.Rows.Where(r => 25 <= table.Age[r] && table.Age[r] < 40 && !table.Churned[r])
            .SelectMany(r => table.Cities[r]).GroupBy(c => c, StringComparer.Ordinal)
            .Select(g => (Row: g.Key, Count: (long)g.Count())).OrderByDescending(p => p.Count).ThenBy(p => p.Row, StringComparer.Ordinal).Take(10).ToArray();
        results.Add(Aggregate(engine, snapshot, "topn", Top, rounds, result =>
        {
            var got = result.Groups.Select(g => (g.Rows[0], g.Count)).ToArray();
            Check(Top, got.SequenceEqual(expectedTop), Groups(got), Groups(expectedTop));
            return got.Length == 0 ? "no rows" : $"{got[0].Item1} {Number(got[0].Count)}, ... {got.Length} rows";
        }));

        const string Sum = "sum(income, os:ios & age >= 65)";
        var expectedSum = table.Rows.Where(r => table.Os[r] == "ios" && table.Age[r] >= 65).Aggregate(Int128.Zero, (s, r) => s + table.Income[r]);
        results.Add(Aggregate(engine, snapshot, "sum", Sum, rounds, result =>
        {
            Check(Sum, result.Value == expectedSum, $"{result.Value}", $"{expectedSum}");
            return ((long)result.Value!.Value).ToString("N0", CultureInfo.InvariantCulture);
        }));

        const string Group = "groupby(os, country, sessions >= 50)";
        var expectedGroups = table.Rows.Where(r => table.Sessions[r] >= 50)
            .GroupBy(r => (table.Os[r], table.Country[r]))
            .Select(g => (Os: g.Key.Item1, Country: g.Key.Item2, Count: (long)g.Count()))
            .OrderBy(g => g.Os, StringComparer.Ordinal).ThenBy(g => g.Country, StringComparer.Ordinal).ToArray();
        results.Add(Aggregate(engine, snapshot, "group-by", Group, rounds, result =>
        {
            var got = result.Groups.Select(g => (g.Rows[0], g.Rows[1], g.Count)).ToArray();
            Check(Group, got.SequenceEqual(expectedGroups), $"{got.Length} groups", $"{expectedGroups.Length} groups");
            return $"{got.Length} groups";
        }));
        return new FieldsReport(db.FolderPath, rows, importMs, stats.DataFileBytes + stats.LogBytes, results);
    }

    private static FieldRow Aggregate(QueryEngine engine, BitmapSet snapshot, string title, string text, int rounds, Func<AggregateResult, string> check)
    {
        var query = engine.CompileAggregate(text);
        var run = new AggregateOptions();
        return Timed(title, text, rounds, () => query.Run(snapshot, run), check);
    }

    /// <summary>The first run (cold), then three untimed and <paramref name="rounds"/> timed ones (warm: their median).</summary>
    private static FieldRow Timed<T>(string title, string text, int rounds, Func<T> run, Func<T, string> check)
    {
        var started = Stopwatch.GetTimestamp();
        var answer = run();
        var coldMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        var shown = check(answer);
        for (var w = 0; w < 3; w++)
        {
            run();
        }
        var times = new List<double>(rounds);
        for (var r = 0; r < rounds; r++)
        {
            started = Stopwatch.GetTimestamp();
            run();
            times.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
        times.Sort();
        var warmMs = times.Count % 2 == 1 ? times[times.Count / 2] : (times[(times.Count / 2) - 1] + times[times.Count / 2]) / 2;
        return new FieldRow(title, text, shown, coldMs, warmMs);
    }

    private static void Check(string query, bool equal, string got, string expected)
    {
        if (!equal)
        {
            throw new InvalidOperationException($"'{query}' over the database answers {got}; LINQ over the table's columns answers {expected}");
        }
    }

    private static string Number(long n) => n.ToString("N0", CultureInfo.InvariantCulture);

    private static string Groups(IEnumerable<(string Row, long Count)> groups) => string.Join(", ", groups.Select(g => $"{g.Row} {g.Count}"));

    /// <summary>The generated table's columns, read from its CSV with a plain split (the generator never quotes).</summary>
    private sealed class Columns
    {
        public IEnumerable<int> Rows => Enumerable.Range(0, Age.Count);

        public List<string[]> Cities { get; } = [];

        public List<string> Country { get; } = [];

        public List<string> Os { get; } = [];

        public List<bool> Churned { get; } = [];

        public List<long?> Age { get; } = [];

        public List<long> Income { get; } = [];

        public List<long> Sessions { get; } = [];

        public bool In(int row, string city) => Array.IndexOf(Cities[row], city) >= 0;

        public static Columns Read(string path)
        {
            var columns = new Columns();
            using var reader = new StreamReader(path);
            var header = reader.ReadLine();
            if (header != string.Join(',', TableGenerator.ColumnNames))
            {
                throw new InvalidOperationException($"the generated table's header is '{header}', not the generator's columns");
            }
            string? line;
            while ((line = reader.ReadLine()) is not null)
            {
                var cells = line.Split(',');
                columns.Cities.Add(cells[0].Split('|'));
                columns.Country.Add(cells[1]);
                columns.Os.Add(cells[2]);
                columns.Churned.Add(cells[3] == "true");
                columns.Age.Add(cells[4].Length == 0 ? null : long.Parse(cells[4], CultureInfo.InvariantCulture));
                columns.Income.Add(long.Parse(cells[5], CultureInfo.InvariantCulture));
                columns.Sessions.Add(long.Parse(cells[6], CultureInfo.InvariantCulture));
            }
            return columns;
        }
    }

    /// <summary>One field query: its answer as shown, the first run's time and the median of the timed warm runs.</summary>
    internal sealed record FieldRow(string Title, string Query, string Answer, double ColdMs, double BitfuseMs);

    /// <summary>The table's database and its queries.</summary>
    internal sealed record FieldsReport(string Database, int Rows, double ImportMs, long BytesOnDisk, List<FieldRow> Queries);
}
