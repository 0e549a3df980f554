using System.Globalization;
using System.Text;
using Bitfuse.Query.Syntax;
using Bitfuse.Tests.Fields;

namespace Bitfuse.Tests.Query.Syntax;

/// <summary>
/// Int-field comparisons built with <see cref="Q.Int"/> against the same comparisons written as text: each form is
/// the parser's tree, and random filters mixing comparisons with set and mutex rows (text written by the generator
/// itself) optimize to the same tree and give a LINQ model's answer over random tables.
/// </summary>
public sealed class QueryBuilderComparisonTests
{
    [Fact]
    public void Each_comparison_form_is_the_tree_the_parser_makes_of_its_text()
    {
        var age = Q.Int("age");
        Assert.Equal(Parser.Parse("age >= 30"), age >= 30);
        Assert.Equal(Parser.Parse("age > 30"), age > 30);
        Assert.Equal(Parser.Parse("age < 30"), age < 30);
        Assert.Equal(Parser.Parse("age <= 30"), age <= 30);
        Assert.Equal(Parser.Parse("10 <= age < 20"), age.Between(10, 20));
        Assert.Equal(Parser.Parse("10 <= age < 20"), (10 <= age) & (age < 20));
        Assert.Equal(Parser.Parse("10 < age <= 20"), (10 < age) & (age <= 20));
        Assert.Equal(Parser.Parse("20 > age >= 10"), (20 > age) & (age >= 10));
        Assert.Equal(Parser.Parse("20 >= age"), 20 >= age);
        Assert.Equal(Parser.Parse("age = 7"), age.EqualTo(7));
        Assert.Equal(Parser.Parse("age == 7"), age.EqualTo(7));
        Assert.Equal(Parser.Parse("age != 7"), age.NotEqualTo(7));
        Assert.Equal(Parser.Parse("age != null"), age.IsNotNull());
        Assert.Equal(Parser.Parse("age = null"), age.IsNull());
        Assert.Equal(Parser.Parse("-5 <= age < -1"), age.Between(-5, -1));
        Assert.Equal(Parser.Parse("age >= -9223372036854775808 & age <= 9223372036854775807"), (age >= long.MinValue) & (age <= long.MaxValue));
        Assert.Equal(Parser.Parse("city:paris & 30 <= age < 40 & !churned"), Q.Name("city:paris") & age.Between(30, 40) & !Q.Name("churned"));
        Assert.Equal(Parser.Parse("!(age >= 3) | \"odd field\" = 4"), !(age >= 3) | Q.Int("odd field").EqualTo(4));
        Assert.Equal("age", age.Name);
        Assert.Throws<ArgumentException>(() => Q.Int(""));
        Assert.Throws<ArgumentException>(() => Q.Int("30"));
    }

    [Fact]
    public void A_built_comparison_shares_its_texts_compiled_query_and_names_an_unknown_field_with_a_caret()
    {
        var engine = new QueryEngine();
        var built = engine.Compile(Q.Name("a") | (Q.Int("agee") >= 3));
        Assert.Same(engine.Compile("a | agee >= 3"), built);
        using var fields = new Bitfuse.Fields.FieldSet();
        fields.Int("age").Set(1, 3);
        fields.Set("x").Add(1, "a");
        var error = Assert.Throws<Bitfuse.Fields.UnknownFieldException>(() => built.Count(fields.Bitmaps));
        Assert.Equal("agee", error.Field);
        Assert.Equal(4, error.Column);
    }

    public static TheoryData<int, string> Tables() => new() { { 1, "narrow" }, { 2, "negative" }, { 3, "wide" }, { 4, "extremes" } };

    [Theory]
    [MemberData(nameof(Tables))]
    public void Built_and_written_filters_plan_and_answer_alike_and_match_linq(int seed, string distribution)
    {
        var random = new Random(seed * 31);
        using var table = RangeQueryPropertyTests.Table.Make(random, distribution);
        var engine = new QueryEngine();
        var rows = table.Age.Count;
        var options = new QueryRunOptions { UniverseEnd = rows };
        for (var tree = 0; tree < 40; tree++)
        {
            var text = new StringBuilder();
            var built = Next(random, 3, table, text, out var model);
            var written = engine.Compile(text.ToString());
            var compiled = engine.Compile(built);
            Assert.Equal(written.Optimized, compiled.Optimized);
            var expected = Enumerable.Range(0, rows).Where(c => model[c]).Select(c => (uint)c).ToArray();
            using var result = compiled.Evaluate(table.Fields.Bitmaps, options);
            Assert.True(expected.SequenceEqual(result.ToArray()), $"{text} over {distribution}: {expected.Length} expected, {result.Count} got");
            Assert.Equal(expected.Length, written.Count(table.Fields.Bitmaps, options));
        }
    }

    // A random filter built with Q, its text written here, and its model answer per column.
    private static Expr Next(Random random, int depth, RangeQueryPropertyTests.Table table, StringBuilder text, out bool[] answer)
    {
        var rows = table.Age.Count;
        answer = new bool[rows];
        if (depth == 0 || random.Next(3) == 0)
        {
            return Leaf(random, table, text, answer);
        }
        var op = random.Next(4);
        if (op == 0)
        {
            text.Append("!(");
            var operand = Next(random, depth - 1, table, text, out var inner);
            text.Append(')');
            for (var c = 0; c < rows; c++)
            {
                answer[c] = !inner[c];
            }
            return !operand;
        }
        text.Append('(');
        var left = Next(random, depth - 1, table, text, out var a);
        text.Append(op switch { 1 => " & ", 2 => " | ", _ => " - " });
        var right = Next(random, depth - 1, table, text, out var b);
        text.Append(')');
        for (var c = 0; c < rows; c++)
        {
            answer[c] = op switch { 1 => a[c] & b[c], 2 => a[c] | b[c], _ => a[c] & !b[c] };
        }
        return op switch { 1 => left & right, 2 => left | right, _ => left - right };
    }

    private static Expr Leaf(Random random, RangeQueryPropertyTests.Table table, StringBuilder text, bool[] answer)
    {
        var age = Q.Int("age");
        var (x, y) = (table.Constant(random), table.Constant(random));
        if (x > y)
        {
            (x, y) = (y, x);
        }
        var form = random.Next(14);
        string Number(long v) => v.ToString(CultureInfo.InvariantCulture);
        text.Append(form switch
        {
            0 => $"age >= {Number(x)}",
            1 => $"age > {Number(x)}",
            2 => $"age < {Number(x)}",
            3 => $"age <= {Number(x)}",
            4 => $"age = {Number(x)}",
            5 => $"age != {Number(x)}",
            6 => "age != null",
            7 => "age = null",
            8 => $"{Number(x)} <= age < {Number(y)}",
            9 => $"{Number(x)} < age",
            10 => $"{Number(y)} > age >= {Number(x)}",
            11 => "city:paris",
            12 => "city:rome",
            _ => "os:android",
        });
        for (var c = 0; c < answer.Length; c++)
        {
            var v = table.Age[c];
            answer[c] = form switch
            {
                0 => v >= x,
                1 => v > x,
                2 => v < x,
                3 => v <= x,
                4 => v == x,
                5 => v is not null && v != x,
                6 => v is not null,
                7 => v is null,
                8 => x <= v && v < y,
                9 => x < v,
                10 => y > v && v >= x,
                11 => table.InCity((uint)c, "paris"),
                12 => table.InCity((uint)c, "rome"),
                _ => table.Os[c] == "android",
            };
        }
        return form switch
        {
            0 => age >= x,
            1 => age > x,
            2 => age < x,
            3 => age <= x,
            4 => age.EqualTo(x),
            5 => age.NotEqualTo(x),
            6 => age.IsNotNull(),
            7 => age.IsNull(),
            8 => age.Between(x, y),
            9 => x < age,
            10 => (y > age) & (age >= x),
            11 => Q.Name("city:paris"),
            12 => Q.Name("city:rome"),
            _ => Q.Name("os:android"),
        };
    }
}
