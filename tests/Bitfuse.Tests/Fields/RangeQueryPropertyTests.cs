using System.Globalization;
using Bitfuse.Fields;

namespace Bitfuse.Tests.Fields;

/// <summary>
/// Every comparison form, alone and inside boolean filters, against a LINQ model over random tables: int values
/// narrow, negative, wide and at the 64-bit ends; constants inside, at and outside the stored range. Count,
/// Evaluate and ForEach must all give the model's answer, at every kernel width.
/// </summary>
public class RangeQueryPropertyTests
{
    private const int Rows = 150_000;

    private static readonly string[] Forms =
    [
        "age >= {0}", "age > {0}", "age < {0}", "age <= {0}", "age = {0}", "age == {0}", "age != {0}",
        "age != null", "age = null", "{0} <= age < {1}", "{0} < age <= {1}", "{1} > age >= {0}", "{0} <= age",
        "city:paris & age >= {0} & age < {1} & !churned", "os:(ios | android) & {0} <= age < {1}",
        "!(age >= {0}) | city:rome", "(age < {0} | age > {1}) ^ churned", "age >= {0} & score < {1}",
        "age = {0} | age = {1}", "city:paris - age > {0}",
    ];

    public static TheoryData<int, string> Tables() => new()
    {
        { 1, "narrow" }, { 2, "negative" }, { 3, "wide" }, { 4, "extremes" }, { 5, "constant" },
    };

    [Theory]
    [MemberData(nameof(Tables))]
    public void Every_range_form_matches_linq(int seed, string distribution)
    {
        var random = new Random(seed);
        using var table = Table.Make(random, distribution);
        foreach (var width in new[] { Bitfuse.Query.Compilation.KernelWidth.Auto, Bitfuse.Query.Compilation.KernelWidth.Scalar })
        {
            var engine = new QueryEngine(new QueryOptions { Width = width });
            var options = new QueryRunOptions { UniverseEnd = Rows };
            for (var round = 0; round < 5; round++)
            {
                var (a, b) = (table.Constant(random), table.Constant(random));
                if (a > b)
                {
                    (a, b) = (b, a);
                }
                foreach (var form in Forms)
                {
                    var text = string.Format(CultureInfo.InvariantCulture, form, a, b);
                    var query = engine.Compile(text);
                    var expected = table.Model(Array.IndexOf(Forms, form), a, b);
                    using var result = query.Evaluate(table.Fields.Bitmaps, options);
                    Assert.True(expected.SequenceEqual(result.ToArray()), $"{text} over {distribution}: {expected.Length} expected, {result.Count} got");
                    Assert.Equal(expected.Length, query.Count(table.Fields.Bitmaps, options));
                    var seen = new List<uint>();
                    query.ForEach(table.Fields.Bitmaps, seen.Add, options);
                    Assert.Equal(expected, seen);
                }
            }
        }
    }

    [Fact]
    public void A_changed_schema_is_seen_by_the_next_run()
    {
        using var fields = new FieldSet();
        var age = fields.Int("age");
        age.Set(1, 10);
        age.Set(2, 20);
        var query = new QueryEngine().Compile("age >= 15");
        Assert.Equal([2u], query.Evaluate(fields.Bitmaps).ToArray());
        age.Set(3, -100);
        age.Set(4, 1000);
        Assert.Equal([2u, 4u], query.Evaluate(fields.Bitmaps).ToArray());
    }

    [Fact]
    public void An_unknown_field_is_named_with_a_caret_and_suggestions()
    {
        using var fields = new FieldSet();
        fields.Int("age").Set(1, 3);
        var error = Assert.Throws<UnknownFieldException>(() => new QueryEngine().Compile("a | agee >= 3").Count(fields.Bitmaps));
        Assert.Equal("agee", error.Field);
        Assert.Equal(4, error.Column);
        Assert.Equal(["age"], error.Suggestions);
        Assert.Contains("unknown int field 'agee' at column 4", error.Message);
        Assert.EndsWith("\n  a | agee >= 3\n      ^", error.Message);
    }

    [Fact]
    public void A_comparison_query_refuses_dense_mode()
    {
        var query = new QueryEngine().Compile("a & age > 3");
        Assert.Throws<InvalidOperationException>(() => query.CountDense([new ulong[8]]));
    }

    /// <summary>A random table: int fields age and score, a set field city, a mutex field os and a bool field churned.</summary>
    internal sealed class Table : IDisposable
    {
        private readonly long?[] _age = new long?[Rows];
        private readonly long?[] _score = new long?[Rows];
        private readonly bool[] _churned = new bool[Rows];
        private readonly HashSet<uint> _paris = [];
        private readonly HashSet<uint> _rome = [];
        private readonly string?[] _os = new string?[Rows];
        private long _low = long.MaxValue;
        private long _high = long.MinValue;

        public FieldSet Fields { get; } = new();

        public IReadOnlyList<long?> Age => _age;

        public IReadOnlyList<string?> Os => _os;

        public bool InCity(uint column, string city) => city == "paris" ? _paris.Contains(column) : _rome.Contains(column);

        public static Table Make(Random random, string distribution)
        {
            var table = new Table();
            var age = table.Fields.Int("age");
            var score = table.Fields.Int("score");
            var city = table.Fields.Set("city");
            var os = table.Fields.Mutex("os");
            var churned = table.Fields.Bool("churned");
            string[] systems = ["ios", "android", "linux"];
            for (uint column = 0; column < Rows; column++)
            {
                // Clustered holes and dense stretches, so keys are absent, sparse and full.
                var present = (column / 20000 % 3) switch { 0 => random.Next(10) < 9, 1 => random.Next(40) == 0, _ => random.Next(2) == 0 };
                if (present)
                {
                    var value = distribution switch
                    {
                        "narrow" => random.Next(0, 100),
                        "negative" => random.Next(-5000, -4000),
                        "wide" => random.NextInt64(-(1L << 40), 1L << 40),
                        "extremes" => random.Next(3) switch { 0 => long.MinValue + random.Next(4), 1 => long.MaxValue - random.Next(4), _ => random.NextInt64() },
                        _ => 42,
                    };
                    age.Set(column, value);
                    table._age[column] = value;
                    table._low = Math.Min(table._low, value);
                    table._high = Math.Max(table._high, value);
                }
                if (random.Next(3) == 0)
                {
                    var s = random.Next(0, 1000);
                    score.Set(column, s);
                    table._score[column] = s;
                }
                if (random.Next(4) == 0)
                {
                    city.Add(column, "paris");
                    table._paris.Add(column);
                }
                if (random.Next(5) == 0)
                {
                    city.Add(column, "rome");
                    table._rome.Add(column);
                }
                if (random.Next(2) == 0)
                {
                    var system = systems[random.Next(systems.Length)];
                    os.Add(column, system);
                    table._os[column] = system;
                }
                if (random.Next(3) == 0)
                {
                    churned.Set(column, true);
                    table._churned[column] = true;
                }
            }
            return table;
        }

        public long Constant(Random random)
        {
            var span = (Int128)_high - _low;
            Int128 pick = random.Next(6) switch
            {
                0 => _low,
                1 => _high,
                2 => (Int128)_low - random.Next(1, 3),
                3 => (Int128)_high + random.Next(1, 3),
                _ => _low + (Int128)(random.NextDouble() * (double)span),
            };
            return (long)Int128.Clamp(pick, long.MinValue, long.MaxValue);
        }

        // The forms above, written out as predicates per column.
        public uint[] Model(int index, long a, long b)
        {
            var result = new List<uint>();
            for (uint c = 0; c < Rows; c++)
            {
                var age = _age[c];
                var score = _score[c];
                var os = _os[c];
                var holds = index switch
                {
                    0 => age >= a,
                    1 => age > a,
                    2 => age < a,
                    3 => age <= a,
                    4 or 5 => age == a,
                    6 => age is not null && age != a,
                    7 => age is not null,
                    8 => age is null,
                    9 => a <= age && age < b,
                    10 => a < age && age <= b,
                    11 => b > age && age >= a,
                    12 => a <= age,
                    13 => _paris.Contains(c) && age >= a && age < b && !_churned[c],
                    14 => (os == "ios" || os == "android") && a <= age && age < b,
                    15 => !(age >= a) || _rome.Contains(c),
                    16 => (age < a || age > b) ^ _churned[c],
                    17 => age >= a && score < b,
                    18 => age == a || age == b,
                    _ => _paris.Contains(c) && !(age > a),
                };
                if (holds)
                {
                    result.Add(c);
                }
            }
            return [.. result];
        }

        public void Dispose() => Fields.Dispose();
    }
}
