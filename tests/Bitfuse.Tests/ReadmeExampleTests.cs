namespace Bitfuse.Tests;

/// <summary>The README's C# example, kept honest: the same calls, checked against a HashSet model.</summary>
public sealed class ReadmeExampleTests
{
    [Fact]
    public void The_readme_example_gives_the_numbers_it_claims()
    {
        uint[] iosValues = [1, 5, 9, 70_000];
        uint[] androidValues = [2, 5, 80_000];
        using var ios = Bitmap.FromValues(iosValues);
        using var android = Bitmap.FromValues(androidValues);
        using var churned = Bitmap.FromValues(new uint[] { 9 });
        ios.AddRange(1_000_000, 1_000_100);
        long both = ios.AndCount(android);

        var engine = new QueryEngine();
        var query = engine.Compile("(ios | android) & !churned");
        var inputs = new BitmapSet { ["ios"] = ios, ["android"] = android, ["churned"] = churned };
        long active = query.Count(inputs);
        using var result = query.Evaluate(inputs);
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
        Assert.Contains("churned", explain, StringComparison.Ordinal);
    }
}
