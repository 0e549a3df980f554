using System.Globalization;

namespace Bitfuse.Fields;

/// <summary>
/// A synthetic table shaped like a user-events index, for demos and benchmarks that need no download.
/// Deterministic for a seed. Columns (one row of the table per column id):
/// <list type="bullet">
/// <item><c>city</c>: set field, 1 or 2 of 1,000 cities, Zipf-distributed (s = 1.1);</item>
/// <item><c>country</c>: mutex field, 60 countries, Zipf (s = 1.3); <c>os</c>: mutex field, 6 systems, Zipf (s = 1.0);</item>
/// <item><c>churned</c>: bool field, true for about 15%;</item>
/// <item><c>age</c>: int field 18..95, skewed young (the minimum of two uniform draws); absent for 5% of rows;</item>
/// <item><c>income</c>: int field, log-normal (median about 40,000, long right tail up to a few million);</item>
/// <item><c>sessions</c>: int field, geometric (most rows small, a few very large).</item>
/// </list>
/// </summary>
public static class TableGenerator
{
    /// <summary>The names of the generated columns, in CSV order.</summary>
    public static IReadOnlyList<string> ColumnNames { get; } = ["city", "country", "os", "churned", "age", "income", "sessions"];

    /// <summary>The kind of each generated column, for <see cref="CsvImport"/>.</summary>
    public static IReadOnlyDictionary<string, FieldKind> ColumnKinds { get; } = new Dictionary<string, FieldKind>
    {
        ["city"] = FieldKind.Set,
        ["country"] = FieldKind.Mutex,
        ["os"] = FieldKind.Mutex,
        ["churned"] = FieldKind.Bool,
        ["age"] = FieldKind.Int,
        ["income"] = FieldKind.Int,
        ["sessions"] = FieldKind.Int,
    };

    private const int Chunk = 1 << 16;
    private static readonly string[] Systems = ["android", "ios", "windows", "macos", "linux", "other"];

    /// <summary>Fills a new <see cref="FieldSet"/> with <paramref name="rows"/> rows. The caller disposes it.</summary>
    public static FieldSet Build(int rows, int seed = 1)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        var fields = new FieldSet();
        try
        {
            var city = fields.Set("city");
            var country = fields.Mutex("country");
            var os = fields.Mutex("os");
            var churned = fields.Bool("churned");
            var age = fields.Int("age", 18);
            var income = fields.Int("income", 0);
            var sessions = fields.Int("sessions", 0);
            Generate(rows, seed, chunk =>
            {
                foreach (var (row, columns) in chunk.Cities)
                {
                    city.AddMany(row, columns.ToArray());
                }
                foreach (var (row, columns) in chunk.Countries)
                {
                    country.AddMany(row, columns.ToArray());
                }
                foreach (var (row, columns) in chunk.Systems)
                {
                    os.AddMany(row, columns.ToArray());
                }
                churned.True.AddMany(chunk.Churned.ToArray());
                churned.False.AddMany(chunk.NotChurned.ToArray());
                age.SetMany(chunk.AgeColumns.ToArray(), chunk.Ages.ToArray());
                income.SetMany(chunk.Columns.ToArray(), chunk.Incomes.ToArray());
                sessions.SetMany(chunk.Columns.ToArray(), chunk.Sessions.ToArray());
            }, text: null);
            return fields;
        }
        catch
        {
            fields.Dispose();
            throw;
        }
    }

    /// <summary>Writes the same table as CSV (header first) to <paramref name="writer"/>.</summary>
    public static void WriteCsv(TextWriter writer, int rows, int seed = 1)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        writer.WriteLine(string.Join(',', ColumnNames));
        Generate(rows, seed, _ => { }, writer);
    }

    // One chunk of rows at a time: the values by field for Build, or CSV lines for WriteCsv.
    private static void Generate(int rows, int seed, Action<ChunkValues> sink, TextWriter? text)
    {
        var random = new Random(seed);
        var cities = new Zipf(1000, 1.1);
        var countries = new Zipf(60, 1.3);
        var systems = new Zipf(Systems.Length, 1.0);
        var values = new ChunkValues();
        for (var start = 0; start < rows; start += Chunk)
        {
            values.Clear();
            var end = Math.Min(rows, start + Chunk);
            for (var c = start; c < end; c++)
            {
                var column = (uint)c;
                var city1 = "c" + cities.Next(random).ToString(CultureInfo.InvariantCulture);
                var city2 = random.Next(4) == 0 ? "c" + cities.Next(random).ToString(CultureInfo.InvariantCulture) : null;
                var country = "k" + countries.Next(random).ToString(CultureInfo.InvariantCulture);
                var system = Systems[systems.Next(random) - 1];
                var churned = random.Next(100) < 15;
                long? age = random.Next(20) == 0 ? null : 18 + Math.Min(random.Next(78), random.Next(78));
                var income = (long)Math.Round(Math.Exp(10.6 + (0.9 * Gaussian(random))));
                var sessions = (long)Math.Floor(Math.Log(1 - random.NextDouble()) / Math.Log(0.97));
                if (text is not null)
                {
                    var cityCell = city2 is null || city2 == city1 ? city1 : city1 + "|" + city2;
                    text.Write(string.Create(CultureInfo.InvariantCulture,
                        $"{cityCell},{country},{system},{(churned ? "true" : "false")},{age},{income},{sessions}\n"));
                    continue;
                }
                values.AddRow(values.Cities, city1, column);
                if (city2 is not null && city2 != city1)
                {
                    values.AddRow(values.Cities, city2, column);
                }
                values.AddRow(values.Countries, country, column);
                values.AddRow(values.Systems, system, column);
                (churned ? values.Churned : values.NotChurned).Add(column);
                if (age is { } a)
                {
                    values.AgeColumns.Add(column);
                    values.Ages.Add(a);
                }
                values.Columns.Add(column);
                values.Incomes.Add(income);
                values.Sessions.Add(sessions);
            }
            if (text is null)
            {
                sink(values);
            }
        }
    }

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    /// <summary>The values of one chunk of rows, by field, columns ascending.</summary>
    private sealed class ChunkValues
    {
        public Dictionary<string, List<uint>> Cities { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, List<uint>> Countries { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, List<uint>> Systems { get; } = new(StringComparer.Ordinal);

        public List<uint> Churned { get; } = [];

        public List<uint> NotChurned { get; } = [];

        public List<uint> AgeColumns { get; } = [];

        public List<long> Ages { get; } = [];

        public List<uint> Columns { get; } = [];

        public List<long> Incomes { get; } = [];

        public List<long> Sessions { get; } = [];

        public void AddRow(Dictionary<string, List<uint>> rows, string row, uint column)
        {
            if (!rows.TryGetValue(row, out var list))
            {
                rows.Add(row, list = []);
            }
            list.Add(column);
        }

        public void Clear()
        {
            Cities.Clear();
            Countries.Clear();
            Systems.Clear();
            Churned.Clear();
            NotChurned.Clear();
            AgeColumns.Clear();
            Ages.Clear();
            Columns.Clear();
            Incomes.Clear();
            Sessions.Clear();
        }
    }

    /// <summary>Draws ranks 1..n with probability proportional to 1 / rank^s, by binary search of the cumulative weights.</summary>
    private sealed class Zipf
    {
        private readonly double[] _cumulative;

        public Zipf(int n, double s)
        {
            _cumulative = new double[n];
            var total = 0.0;
            for (var k = 1; k <= n; k++)
            {
                total += 1 / Math.Pow(k, s);
                _cumulative[k - 1] = total;
            }
            for (var k = 0; k < n; k++)
            {
                _cumulative[k] /= total;
            }
        }

        public int Next(Random random)
        {
            var index = Array.BinarySearch(_cumulative, random.NextDouble());
            return (index < 0 ? ~index : index) + 1;
        }
    }
}
