using Bitfuse.Fields;

namespace Bitfuse.Tests;

/// <summary>The README's C# examples, kept honest: the same calls, checked against HashSet and SortedSet models.</summary>
public sealed class ReadmeExampleTests
{
    private static string RepositoryPath(params string[] parts)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Bitfuse.slnx")))
            {
                return Path.Combine([dir.FullName, .. parts]);
            }
        }
        throw new DirectoryNotFoundException("repository root not found");
    }

    [Fact]
    public void The_bitmap_example_gives_what_its_comments_say()
    {
        uint[] iosValues = [1, 5, 9, 70_000];
        uint[] androidValues = [2, 5, 80_000];
        using var ios = Bitmap.FromValues(iosValues);
        using var android = Bitmap.FromValues(androidValues);
        ios.AddRange(1_000_000, 1_000_100);
        ios.Add(42);
        var has = ios.Contains(70_000);
        var both = ios.AndCount(android);
        using var either = ios.Or(android);
        using var onlyIos = ios.AndNot(android);
        var third = either.Select(2);
        var next = ios.NextValue(43);
        var inRange = ios.RangeCount(1_000_000, 1_000_050);
        using var common = ios & android;
        var firstValues = new List<uint>();
        either.ForEach(batch => firstValues.AddRange(batch), 0, 100_000);
        either.Optimize();
        var path = Path.Combine(Path.GetTempPath(), $"bitfuse-readme-{Guid.NewGuid():N}.roaring");
        try
        {
            either.SerializeToFile(path);
            using var back = Bitmap.DeserializeFile(path);

            var iosModel = new SortedSet<uint>(iosValues) { 42 };
            for (uint v = 1_000_000; v < 1_000_100; v++)
            {
                iosModel.Add(v);
            }
            var eitherModel = new SortedSet<uint>(iosModel);
            eitherModel.UnionWith(androidValues);
            var onlyIosModel = new SortedSet<uint>(iosModel);
            onlyIosModel.ExceptWith(androidValues);
            Assert.True(has);
            Assert.Equal(1, both);
            Assert.Equal(eitherModel.ToArray(), either.ToArray());
            Assert.Equal(onlyIosModel.ToArray(), onlyIos.ToArray());
            Assert.Equal(eitherModel.ElementAt(2), third);
            Assert.Equal(iosModel.First(v => v >= 43), next);
            Assert.Equal(iosModel.Count(v => v is >= 1_000_000 and < 1_000_050), inRange);
            Assert.Equal(iosModel.Intersect(androidValues).ToArray(), common.ToArray());
            Assert.Equal(eitherModel.Where(v => v < 100_000).ToArray(), firstValues);
            Assert.Equal(eitherModel.ToArray(), back.ToArray());
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void The_query_example_gives_the_numbers_it_claims()
    {
        uint[] iosValues = [1, 5, 9, 70_000];
        uint[] androidValues = [2, 5, 80_000];
        using var ios = Bitmap.FromValues(iosValues);
        using var android = Bitmap.FromValues(androidValues);
        using var churned = Bitmap.FromValues(new uint[] { 9 });
        ios.AddRange(1_000_000, 1_000_100);
        var both = ios.AndCount(android);

        var engine = new QueryEngine();
        var query = engine.Compile("(ios | android) & !churned");
        var inputs = new BitmapSet { ["ios"] = ios, ["android"] = android, ["churned"] = churned };
        var active = query.Count(inputs);
        using var result = query.Evaluate(inputs);
        var any = query.Any(inputs);
        var explain = query.Explain(inputs).ToString();

        var model = new HashSet<uint>(iosValues);
        for (uint v = 1_000_000; v < 1_000_100; v++)
        {
            model.Add(v);
        }
        model.UnionWith(androidValues);
        model.Remove(9);
        Assert.Equal(1, both);
        Assert.Equal(105, active);
        Assert.Equal(model.Count, active);
        Assert.Equal(model.Order().ToArray(), result.ToArray());
        Assert.True(any);
        Assert.Contains("churned", explain, StringComparison.Ordinal);
    }

    [Fact]
    public void The_aggregation_example_over_the_example_data_matches_a_model_built_from_the_files()
    {
        var engine = new QueryEngine();
        var folder = RepositoryPath("examples", "segments");
        using var segments = BitmapSet.LoadFolder(folder);
        var reached = Bitmap.OrManyCount(segments.Values);
        var inAll = Bitmap.AndManyCount(segments.Values);
        var kept = engine.Compile(Q.Name("ios") & !Q.Name("churned")).Count(segments);

        // The model reads the files itself, not through BitmapText.
        static HashSet<uint> Read(string file) =>
            File.ReadAllText(file).Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(uint.Parse).ToHashSet();
        var sets = Directory.GetFiles(folder, "*.txt").Select(Read).ToArray();
        var ios = Read(Path.Combine(folder, "ios.txt"));
        ios.ExceptWith(Read(Path.Combine(folder, "churned.txt")));
        var union = new HashSet<uint>();
        var intersection = new HashSet<uint>(sets[0]);
        foreach (var set in sets)
        {
            union.UnionWith(set);
            intersection.IntersectWith(set);
        }
        Assert.Equal(3, sets.Length);
        Assert.Equal(union.Count, reached);
        Assert.Equal(ios.Count, kept);
        Assert.True(kept > 0);
        Assert.Equal(intersection.Count, inAll);
        Assert.True(inAll > 0);
    }

    [Fact]
    public void The_fields_example_gives_what_its_comments_say_and_what_a_model_gives()
    {
        var engine = new QueryEngine();
        using var people = new FieldSet();
        var city = people.Set("city");
        var age = people.Int("age");
        var gone = people.Bool("churned");
        city.Add(0, "paris");
        age.Set(0, 34);
        gone.Set(0, false);
        city.Add(1, "paris");
        city.Add(1, "rome");
        age.Set(1, 41);
        gone.Set(1, true);
        city.Add(2, "rome");
        age.Set(2, 29);
        gone.Set(2, false);
        var young = engine.Compile("city:paris & 30 <= age < 40 & !churned").Count(people.Bitmaps);
        var built = engine.Compile(Q.Name("city:paris") & Q.Int("age").Between(30, 40) & !Q.Name("churned")).Count(people.Bitmaps);
        var sum = engine.CompileAggregate("sum(age, city:paris)").Run(people.Bitmaps);
        var top = engine.CompileAggregate("topn(city, 10)").Run(people.Bitmaps).Groups;

        // The model: the same three people as plain records.
        (string[] Cities, long Age, bool Churned)[] model = [(["paris"], 34, false), (["paris", "rome"], 41, true), (["rome"], 29, false)];
        Assert.Equal(1, young);
        Assert.Equal(young, built);
        Assert.Equal(model.Count(p => p.Cities.Contains("paris") && p.Age is >= 30 and < 40 && !p.Churned), young);
        Assert.Equal(75, (long)sum.Value!.Value);
        Assert.Equal(model.Where(p => p.Cities.Contains("paris")).Sum(p => p.Age), (long)sum.Value!.Value);
        var expectedTop = model.SelectMany(p => p.Cities).GroupBy(c => c).Select(g => ($"{g.Key}", (long)g.Count())).Order().ToArray();
        Assert.Equal(expectedTop, top.Select(g => (g.Rows.Single(), g.Count)).Order().ToArray());
        Assert.Equal([("paris", 2L), ("rome", 2L)], expectedTop);
    }
}
