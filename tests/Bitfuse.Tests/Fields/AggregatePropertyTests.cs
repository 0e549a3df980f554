using System.Globalization;
using Bitfuse.Fields;
using Table = Bitfuse.Tests.Fields.RangeQueryPropertyTests.Table;

namespace Bitfuse.Tests.Fields;

/// <summary>Every aggregate against LINQ over random tables, with filters that hold ranges, rows and nothing at all.</summary>
public class AggregatePropertyTests
{
    private const int Rows = 150_000;

    public static TheoryData<int, string> Tables() => new()
    {
        { 11, "narrow" }, { 12, "negative" }, { 13, "wide" }, { 14, "extremes" },
    };

    [Theory]
    [MemberData(nameof(Tables))]
    public void Count_sum_min_and_max_match_linq(int seed, string distribution)
    {
        var random = new Random(seed);
        using var table = Table.Make(random, distribution);
        var engine = new QueryEngine();
        var set = table.Fields.Bitmaps;
        for (var round = 0; round < 6; round++)
        {
            var a = table.Constant(random);
            var filters = new (string Text, Func<uint, bool> Holds)[]
            {
                ("city:paris & age >= " + a.ToString(CultureInfo.InvariantCulture), c => table.InCity(c, "paris") && table.Age[(int)c] >= a),
                ("os:(ios | android)", c => table.Os[(int)c] is "ios" or "android"),
                ("$0", _ => false),
                ("city:rome | age < " + a.ToString(CultureInfo.InvariantCulture), c => table.InCity(c, "rome") || table.Age[(int)c] < a),
            };
            foreach (var (filter, holds) in filters)
            {
                var columns = Enumerable.Range(0, Rows).Select(c => (uint)c).Where(holds).ToArray();
                var values = columns.Select(c => table.Age[(int)c]).OfType<long>().ToArray();
                Assert.Equal(columns.Length, (long)engine.CompileAggregate($"count({filter})").Run(set).Value!.Value);
                Assert.Equal(values.Aggregate(Int128.Zero, (s, v) => s + v), engine.CompileAggregate($"sum(age, {filter})").Run(set).Value);
                Assert.Equal(values.Length == 0 ? null : values.Min(), (long?)engine.CompileAggregate($"min(age, {filter})").Run(set).Value);
                Assert.Equal(values.Length == 0 ? null : values.Max(), (long?)engine.CompileAggregate($"max(age, {filter})").Run(set).Value);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Tables))]
    public void TopN_and_group_by_are_exact_and_page_by_the_last_key(int seed, string distribution)
    {
        var random = new Random(seed);
        using var table = Table.Make(random, distribution);
        var engine = new QueryEngine();
        var set = table.Fields.Bitmaps;
        var a = table.Constant(random);
        var filterText = "age >= " + a.ToString(CultureInfo.InvariantCulture);
        bool Holds(uint c) => table.Age[(int)c] >= a;
        var all = Enumerable.Range(0, Rows).Select(c => (uint)c).ToArray();

        var osCounts = new[] { "android", "ios", "linux" }
            .Select(os => (Row: os, Count: all.LongCount(c => Holds(c) && table.Os[(int)c] == os)))
            .Where(p => p.Count > 0).OrderByDescending(p => p.Count).ThenBy(p => p.Row, StringComparer.Ordinal).ToArray();
        var top = engine.CompileAggregate($"topn(os, 2, {filterText})").Run(set);
        Assert.Equal(osCounts.Take(2).Select(p => (p.Row, p.Count)), top.Groups.Select(g => (g.Rows[0], g.Count)));
        var unfiltered = engine.CompileAggregate("topn(city, 5)").Run(set);
        Assert.Equal(
            new[] { "paris", "rome" }.Select(r => (Row: r, Count: all.LongCount(c => table.InCity(c, r)))).OrderByDescending(p => p.Count).Select(p => (p.Row, p.Count)),
            unfiltered.Groups.Select(g => (g.Rows[0], g.Count)));

        var expected = (from os in new[] { "android", "ios", "linux" }
                        from city in new[] { "paris", "rome" }
                        let count = all.LongCount(c => Holds(c) && table.Os[(int)c] == os && table.InCity(c, city))
                        where count > 0
                        select (os, city, count)).ToArray();
        var group = engine.CompileAggregate($"groupby(os, city, {filterText})");
        Assert.Equal(expected, group.Run(set).Groups.Select(g => (g.Rows[0], g.Rows[1], g.Count)));
        // Page through two groups at a time, each page after the last key of the one before.
        var paged = new List<GroupCount>();
        IReadOnlyList<string>? after = null;
        for (var page = 0; page < 10; page++)
        {
            var groups = group.Run(set, new AggregateOptions { Limit = 2, After = after }).Groups;
            Assert.True(groups.Count <= 2);
            if (groups.Count == 0)
            {
                break;
            }
            paged.AddRange(groups);
            after = groups[^1].Rows;
        }
        Assert.Equal(expected, paged.Select(g => (g.Rows[0], g.Rows[1], g.Count)));

        // City rows overlap (a column may be in both), so city leading takes the level-by-level walk; os leading
        // (a mutex field) counts the last two levels in one pass; three fields do both.
        var byCity = (from city in new[] { "paris", "rome" }
                      from os in new[] { "android", "ios", "linux" }
                      let count = all.LongCount(c => Holds(c) && table.Os[(int)c] == os && table.InCity(c, city))
                      where count > 0
                      select (city, os, count)).ToArray();
        Assert.Equal(byCity, engine.CompileAggregate($"groupby(city, os, {filterText})").Run(set).Groups.Select(g => (g.Rows[0], g.Rows[1], g.Count)));
        var three = (from city in new[] { "paris", "rome" }
                     from os in new[] { "android", "ios", "linux" }
                     from city2 in new[] { "paris", "rome" }
                     let count = all.LongCount(c => Holds(c) && table.InCity(c, city) && table.Os[(int)c] == os && table.InCity(c, city2))
                     where count > 0
                     select (city, os, city2, count)).ToArray();
        var threeGroups = engine.CompileAggregate($"groupby(city, os, city, {filterText})");
        Assert.Equal(three, threeGroups.Run(set).Groups.Select(g => (g.Rows[0], g.Rows[1], g.Rows[2], g.Count)));
        var pagedThree = threeGroups.Run(set, new AggregateOptions { Limit = 3, After = ["paris", "ios", "paris"] }).Groups;
        Assert.Equal(three.Where(g => string.CompareOrdinal(g.city + "\0" + g.os + "\0" + g.city2, "paris\0ios\0paris") > 0).Take(3),
            pagedThree.Select(g => (g.Rows[0], g.Rows[1], g.Rows[2], g.Count)));
    }

    [Fact]
    public void A_row_added_after_a_run_is_counted_by_the_next_run()
    {
        using var fields = new FieldSet();
        var city = fields.Set("city");
        city.Add(1, "paris");
        city.Add(2, "paris");
        var top = new QueryEngine().CompileAggregate("topn(city, 5)");
        Assert.Equal(new[] { ("paris", 2L) }, top.Run(fields.Bitmaps).Groups.Select(g => (g.Rows[0], g.Count)));
        city.Add(3, "rome");
        city.Add(4, "rome");
        city.Add(5, "rome");
        city.Add(6, "paris");
        city.Add(7, "paris");
        city.Add(8, "paris");
        Assert.Equal(new[] { ("paris", 5L), ("rome", 3L) }, top.Run(fields.Bitmaps).Groups.Select(g => (g.Rows[0], g.Count)));
    }

    [Fact]
    public void A_wrong_field_argument_is_named_with_a_caret()
    {
        using var fields = new FieldSet();
        fields.Int("age").Set(1, 5);
        fields.Set("city").Add(1, "paris");
        var engine = new QueryEngine();
        var sum = Assert.Throws<UnknownFieldException>(() => engine.CompileAggregate("sum(city, age > 1)").Run(fields.Bitmaps));
        Assert.Equal((4, "city"), (sum.Column, sum.Field));
        Assert.Contains("unknown int field 'city'", sum.Message);
        var top = Assert.Throws<UnknownFieldException>(() => engine.CompileAggregate("topn(cty, 3, age > 1)").Run(fields.Bitmaps));
        Assert.Equal(["city"], top.Suggestions);
        Assert.Contains("unknown set field 'cty' at column 5", top.Message);
    }
}
