using System.Globalization;
using System.Text;
using Bitfuse.Fields;

namespace Bitfuse.Persistence.Tests;

/// <summary>
/// Typed fields stored in a database answer every range form and every aggregate over a snapshot as a LINQ model
/// of the table does. Each round makes a random table (int values narrow, negative, wide, at the 64-bit ends or
/// constant; columns scattered over several keys or consecutive), imports it into one database under its own field
/// names (half as a typed CSV through <see cref="DatabaseImporter.ImportTable"/>, half as a <see cref="FieldSet"/>
/// through <see cref="DatabaseImporter.ImportFields"/>), and checks a random pick of forms and every aggregate.
/// </summary>
public sealed class FieldSnapshotPropertyTests
{
    private const int Tables = 200;
    private const int TablesPerImport = 8;
    private const int FormsPerTable = 4;
    private static readonly string[] Cities = ["paris", "rome", "oslo", "new york"];
    private static readonly string[] Systems = ["ios", "android", "linux"];

    // AGE, SCORE, CITY, OS and CHURNED stand for the round's field names; {0} <= {1} are the constants.
    private static readonly (string Text, Func<Row, long, long, bool> Holds)[] Forms =
    [
        ("AGE >= {0}", (r, a, _) => r.Age >= a),
        ("AGE > {0}", (r, a, _) => r.Age > a),
        ("AGE < {0}", (r, a, _) => r.Age < a),
        ("AGE <= {0}", (r, a, _) => r.Age <= a),
        ("AGE = {0}", (r, a, _) => r.Age == a),
        ("AGE == {0}", (r, a, _) => r.Age == a),
        ("AGE != {0}", (r, a, _) => r.Age is { } v && v != a),
        ("AGE != null", (r, _, _) => r.Age is not null),
        ("AGE = null", (r, _, _) => r.Age is null),
        ("{0} <= AGE < {1}", (r, a, b) => a <= r.Age && r.Age < b),
        ("{0} < AGE <= {1}", (r, a, b) => a < r.Age && r.Age <= b),
        ("{1} > AGE >= {0}", (r, a, b) => b > r.Age && r.Age >= a),
        ("{0} <= AGE", (r, a, _) => a <= r.Age),
        ("{0} > AGE", (r, a, _) => a > r.Age),
        ("CITY:paris & AGE >= {0} & AGE < {1} & !CHURNED", (r, a, b) => r.In("paris") && r.Age >= a && r.Age < b && r.Churned != true),
        ("OS:(ios | android) & {0} <= AGE < {1}", (r, a, b) => r.Os is "ios" or "android" && a <= r.Age && r.Age < b),
        ("!(AGE >= {0}) | CITY:rome", (r, a, _) => !(r.Age >= a) || r.In("rome")),
        ("(AGE < {0} | AGE > {1}) ^ CHURNED", (r, a, b) => (r.Age < a || r.Age > b) ^ (r.Churned == true)),
        ("AGE >= {0} & SCORE < {1}", (r, a, b) => r.Age >= a && r.Score < b),
        ("AGE = {0} | AGE = {1}", (r, a, b) => r.Age == a || r.Age == b),
        ("CITY:paris - AGE > {0}", (r, a, _) => r.In("paris") && !(r.Age > a)),
        ("CITY:\"new york\" | !OS:linux", (r, _, _) => r.In("new york") || r.Os != "linux"),
    ];

    [Fact]
    public void Every_range_form_and_aggregate_over_a_snapshot_matches_linq()
    {
        using var folder = new TempFolder();
        using var db = Database.Open(folder.Db());
        var engine = new QueryEngine();
        var random = new Random(2026);
        var formsChecked = new HashSet<int>();
        for (var batch = 0; batch < Tables / TablesPerImport; batch++)
        {
            // One table of each batch comes in as CSV, the others together as one field set (an import is a checkpoint).
            var tables = Enumerable.Range(batch * TablesPerImport, TablesPerImport).Select(round => Table.Make(random, round)).ToArray();
            var importer = new DatabaseImporter(db);
            var csv = Path.Combine(folder.Path, $"table{batch}.csv");
            File.WriteAllText(csv, tables[0].ToCsv());
            importer.ImportTable(csv, tables[0].Kinds);
            using (var fields = new FieldSet())
            {
                foreach (var table in tables.Skip(1))
                {
                    table.AddTo(fields);
                }
                importer.ImportFields(fields);
            }
            using var snapshot = db.Snapshot();
            foreach (var table in tables)
            {
                Check(engine, snapshot, table, random, formsChecked);
            }
        }
        Assert.Equal(Forms.Length, formsChecked.Count);
    }

    private static void Check(QueryEngine engine, Snapshot snapshot, Table table, Random random, HashSet<int> formsChecked)
    {
        var options = new QueryRunOptions { UniverseEnd = table.Universe };
        var context = $"table {table.Suffix} ({table.Distribution}, {table.Rows.Length} rows)";
        for (var pick = 0; pick < FormsPerTable; pick++)
        {
            var form = random.Next(Forms.Length);
            formsChecked.Add(form);
            var (a, b) = table.Constants(random);
            var text = table.Query(Forms[form].Text, a, b);
            var expected = table.Matching(r => Forms[form].Holds(r, a, b));
            var query = engine.Compile(text);
            using (var result = query.Evaluate(snapshot, options))
            {
                Assert.True(expected.SequenceEqual(result.ToArray()), $"{text}, {context}: {expected.Length} expected, {result.Count} got");
            }
            Assert.Equal(expected.Length, query.Count(snapshot, options));
        }

        var filter = random.Next(Forms.Length);
        var (fa, fb) = table.Constants(random);
        var filterText = table.Query(Forms[filter].Text, fa, fb);
        var filtered = table.Rows.Where(r => Forms[filter].Holds(r, fa, fb)).ToArray();
        var run = new AggregateOptions { Run = options };
        AggregateResult Aggregate(string call) => engine.CompileAggregate(table.Query(call, fa, fb).Replace("FILTER", filterText, StringComparison.Ordinal)).Run(snapshot, run);

        var ages = filtered.Select(r => r.Age).OfType<long>().ToArray();
        var countAll = table.Matching(r => Forms[filter].Holds(r, fa, fb)).Length;
        Assert.True(countAll == Aggregate("count(FILTER)").Value, $"count({filterText}), {context}");
        Assert.True(ages.Aggregate(Int128.Zero, (s, v) => s + v) == Aggregate("sum(AGE, FILTER)").Value, $"sum over {filterText}, {context}");
        Assert.True((ages.Length == 0 ? null : (Int128?)ages.Min()) == Aggregate("min(AGE, FILTER)").Value, $"min over {filterText}, {context}");
        Assert.True((ages.Length == 0 ? null : (Int128?)ages.Max()) == Aggregate("max(AGE, FILTER)").Value, $"max over {filterText}, {context}");

        var n = random.Next(1, 4);
        Assert.Equal(TopN(filtered, r => r.Cities, n), Groups(Aggregate($"topn(CITY, {n}, FILTER)")));
        Assert.Equal(TopN(table.Rows, r => r.Os is null ? [] : [r.Os], n), Groups(engine.CompileAggregate(table.Query($"topn(OS, {n})", 0, 0)).Run(snapshot, run)));

        var groups = (from os in Systems.Order(StringComparer.Ordinal)
                      from city in Cities.Order(StringComparer.Ordinal)
                      let count = filtered.LongCount(r => r.Os == os && r.In(city))
                      where count > 0
                      select $"{os},{city}={count}").ToArray();
        var groupBy = engine.CompileAggregate(table.Query("groupby(OS, CITY, FILTER)", fa, fb).Replace("FILTER", filterText, StringComparison.Ordinal));
        Assert.Equal(groups, Groups(groupBy.Run(snapshot, run)));
        var limit = random.Next(1, 4);
        var paged = new List<string>();
        IReadOnlyList<string>? after = null;
        for (var page = 0; page <= groups.Length; page++)
        {
            var result = groupBy.Run(snapshot, run with { Limit = limit, After = after });
            Assert.True(result.Groups.Count <= limit);
            if (result.Groups.Count == 0)
            {
                break;
            }
            paged.AddRange(Groups(result));
            after = result.Groups[^1].Rows;
        }
        Assert.Equal(groups, paged);
    }

    [Fact]
    public void A_table_import_refuses_a_field_the_database_holds_and_commits_nothing()
    {
        using var folder = new TempFolder();
        using var db = Database.Open(folder.Db());
        using var fields = new FieldSet();
        fields.Int("age").Set(3, 40);
        fields.Set("city").Add(3, "paris");
        var importer = new DatabaseImporter(db);
        var first = importer.ImportFields(fields);
        Assert.Equal(fields.Bitmaps.Count, first.Names);
        long lsn;
        using (var snapshot = db.Snapshot())
        {
            lsn = snapshot.Lsn;
            Assert.Equal(40, (long?)new QueryEngine().CompileAggregate("max(age, city:paris)").Run(snapshot).Value);
        }

        using var again = new FieldSet();
        again.Set("country").Add(1, "fr");
        again.Int("age").Set(1, 7);
        var error = Assert.Throws<InvalidDataException>(() => importer.ImportFields(again));
        Assert.Contains("already holds field 'age'", error.Message, StringComparison.Ordinal);
        var csv = Path.Combine(folder.Path, "bad.csv");
        File.WriteAllText(csv, "country,age\nfr,7\nde,x\n");
        error = Assert.Throws<InvalidDataException>(() => importer.ImportTable(csv, new Dictionary<string, FieldKind> { ["country"] = FieldKind.Set, ["age"] = FieldKind.Int }));
        Assert.Contains("line 3, column 'age': 'x' is not a 64-bit integer", error.Message, StringComparison.Ordinal);
        using (var snapshot = db.Snapshot())
        {
            Assert.Equal(lsn, snapshot.Lsn);
            Assert.False(snapshot.Contains("country:fr"));
        }
    }

    private static string[] TopN(IEnumerable<Row> rows, Func<Row, IEnumerable<string>> of, int n) =>
        rows.SelectMany(of).GroupBy(row => row, StringComparer.Ordinal)
            .Select(g => (Row: g.Key, Count: g.LongCount()))
            .OrderByDescending(p => p.Count).ThenBy(p => p.Row, StringComparer.Ordinal)
            .Take(n).Select(p => $"{p.Row}={p.Count}").ToArray();

    private static string[] Groups(AggregateResult result) =>
        result.Groups.Select(g => $"{string.Join(',', g.Rows)}={g.Count}").ToArray();

    /// <summary>One column of a table and its values (null: none).</summary>
    private sealed record Row(uint Column, long? Age, long? Score, string[] Cities, string? Os, bool? Churned)
    {
        public bool In(string city) => Cities.Contains(city);
    }

    /// <summary>A random table; <see cref="Rows"/> are its columns with any value, ascending (the others have none).</summary>
    private sealed class Table
    {
        private Table(int round, string distribution, Row[] rows, long universe)
        {
            Suffix = round.ToString(CultureInfo.InvariantCulture);
            Distribution = distribution;
            Rows = rows;
            Universe = universe;
        }

        public string Suffix { get; }

        public string Distribution { get; }

        public Row[] Rows { get; }

        public long Universe { get; }

        public Dictionary<string, FieldKind> Kinds => new()
        {
            ["age" + Suffix] = FieldKind.Int,
            ["score" + Suffix] = FieldKind.Int,
            ["city" + Suffix] = FieldKind.Set,
            ["os" + Suffix] = FieldKind.Mutex,
            ["churned" + Suffix] = FieldKind.Bool,
        };

        // Tables that become CSV have consecutive columns (line n is column n); the others scatter columns over four keys,
        // with a dense stretch now and then so some containers are bitsets or runs.
        public static Table Make(Random random, int round)
        {
            string[] distributions = ["narrow", "negative", "wide", "extremes", "constant"];
            var distribution = distributions[random.Next(distributions.Length)];
            var count = random.Next(1, 3000);
            var columns = new SortedSet<uint>();
            if (round % TablesPerImport == 0)
            {
                for (uint c = 0; c < count; c++)
                {
                    columns.Add(c);
                }
            }
            else
            {
                if (random.Next(2) == 0)
                {
                    var start = (uint)random.Next(0, 200_000);
                    for (var c = start; c < start + 5000; c++)
                    {
                        columns.Add(c);
                    }
                }
                while (columns.Count < count)
                {
                    columns.Add((uint)random.Next(0, 4 << 16));
                }
            }
            var rows = new List<Row>();
            foreach (var column in columns)
            {
                // The first row has every int value, so no int field is without a schema.
                long? age = random.Next(10) < 8 || rows.Count == 0 ? Value(random, distribution) : null;
                long? score = random.Next(3) == 0 || rows.Count == 0 ? random.Next(0, 1000) : null;
                var cities = Cities.Where(_ => random.Next(4) == 0).ToArray();
                var os = random.Next(2) == 0 ? Systems[random.Next(Systems.Length)] : null;
                bool? churned = random.Next(3) switch { 0 => true, 1 => false, _ => null };
                rows.Add(new Row(column, age, score, cities, os, churned));
            }
            return new Table(round, distribution, [.. rows], rows[^1].Column + 1L);
        }

        private static long Value(Random random, string distribution) => distribution switch
        {
            "narrow" => random.Next(0, 100),
            "negative" => random.Next(-5000, -4000),
            "wide" => random.NextInt64(-(1L << 40), 1L << 40),
            "extremes" => random.Next(3) switch { 0 => long.MinValue + random.Next(4), 1 => long.MaxValue - random.Next(4), _ => random.NextInt64() },
            _ => 42,
        };

        /// <summary>Two constants, ascending: at, just outside or between the stored ages.</summary>
        public (long A, long B) Constants(Random random)
        {
            var ages = Rows.Select(r => r.Age).OfType<long>().ToArray();
            var (low, high) = (ages.Min(), ages.Max());
            long Pick() => (long)Int128.Clamp(random.Next(6) switch
            {
                0 => low,
                1 => high,
                2 => (Int128)low - random.Next(1, 3),
                3 => (Int128)high + random.Next(1, 3),
                4 => ages[random.Next(ages.Length)],
                _ => low + (Int128)(random.NextDouble() * (double)((Int128)high - low)),
            }, long.MinValue, long.MaxValue);
            var (a, b) = (Pick(), Pick());
            return a <= b ? (a, b) : (b, a);
        }

        /// <summary>A form or call with the round's field names and the constants put in.</summary>
        public string Query(string form, long a, long b) =>
            form.Replace("{0}", a.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal).Replace("{1}", b.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
                .Replace("AGE", "age" + Suffix, StringComparison.Ordinal).Replace("SCORE", "score" + Suffix, StringComparison.Ordinal)
                .Replace("CITY", "city" + Suffix, StringComparison.Ordinal).Replace("CHURNED", "churned" + Suffix, StringComparison.Ordinal)
                .Replace("OS", "os" + Suffix, StringComparison.Ordinal);

        /// <summary>The columns of [0, universe) where <paramref name="holds"/> does; a column without values is the empty row.</summary>
        public uint[] Matching(Func<Row, bool> holds)
        {
            var result = new List<uint>();
            var emptyHolds = holds(new Row(0, null, null, [], null, null));
            uint next = 0;
            foreach (var row in Rows)
            {
                for (; emptyHolds && next < row.Column; next++)
                {
                    result.Add(next);
                }
                if (holds(row))
                {
                    result.Add(row.Column);
                }
                next = row.Column + 1;
            }
            return [.. result];
        }

        public string ToCsv()
        {
            var text = new StringBuilder($"id,city{Suffix},os{Suffix},age{Suffix},score{Suffix},churned{Suffix}\n");
            foreach (var row in Rows)
            {
                text.Append(CultureInfo.InvariantCulture, $"r{row.Column},\"{string.Join('|', row.Cities)}\",{row.Os},{row.Age},{row.Score},{row.Churned switch { true => "true", false => "false", null => "" }}\n");
            }
            return text.ToString();
        }

        public void AddTo(FieldSet fields)
        {
            var age = fields.Int("age" + Suffix);
            var score = fields.Int("score" + Suffix);
            var city = fields.Set("city" + Suffix);
            var os = fields.Mutex("os" + Suffix);
            var churned = fields.Bool("churned" + Suffix);
            foreach (var row in Rows)
            {
                if (row.Age is { } a)
                {
                    age.Set(row.Column, a);
                }
                if (row.Score is { } s)
                {
                    score.Set(row.Column, s);
                }
                foreach (var c in row.Cities)
                {
                    city.Add(row.Column, c);
                }
                if (row.Os is { } o)
                {
                    os.Add(row.Column, o);
                }
                if (row.Churned is { } b)
                {
                    churned.Set(row.Column, b);
                }
            }
        }
    }
}
