namespace Bitfuse.Tests.Query.Execution;

/// <summary>
/// A compiled query keeps the bitmaps it resolved under the set's version: every change to the set (replace,
/// add, remove, clear) must be seen by the next run, another set must never get the first one's bitmaps, and
/// names only a resolver knows are asked for again on each run.
/// </summary>
public class ResolvedInputsTests
{
    private static Bitmap Of(params uint[] values) => Bitmap.FromValues(values);

    [Theory]
    [InlineData("a & b & c")]
    [InlineData("a | b | c")]
    [InlineData("a & (b | !c)")]
    [InlineData("a & c")]
    public void Replacing_a_bitmap_is_seen_by_the_next_run(string text)
    {
        var query = new QueryEngine().Compile(text);
        using var a = Of(1, 2, 3, 70000);
        using var b = Of(2, 3, 70000);
        using var c = Of(3, 70000, 9);
        using var c2 = Of(1, 5);
        var set = new BitmapSet { ["a"] = a, ["b"] = b, ["c"] = c };
        var before = Model(text, set);
        Assert.Equal(before, Values(query, set));
        Assert.Equal(before, Values(query, set));
        set["c"] = c2;
        var after = Model(text, set);
        Assert.NotEqual(before, after);
        Assert.Equal(after, Values(query, set));
        Assert.Equal(after.Length, query.Count(set));
    }

    [Fact]
    public void A_removed_name_fails_and_an_added_one_is_used()
    {
        var query = new QueryEngine().Compile("a & b & c");
        using var a = Of(1, 2, 3);
        using var b = Of(2, 3);
        using var c = Of(3);
        using var c2 = Of(2);
        var set = new BitmapSet { ["a"] = a, ["b"] = b, ["c"] = c };
        Assert.Equal(1, query.Count(set));
        var version = set.Version;
        Assert.True(set.Remove("c"));
        Assert.NotEqual(version, set.Version);
        Assert.False(set.Remove("c"));
        var error = Assert.Throws<UnknownBitmapException>(() => query.Count(set));
        Assert.Contains("c", error.Message, StringComparison.Ordinal);
        set.Add("c", c2);
        Assert.Equal([2u], query.Evaluate(set).ToArray());
    }

    [Fact]
    public void Another_set_gets_its_own_bitmaps()
    {
        var query = new QueryEngine().Compile("a & b & c");
        using var a = Of(1, 2, 3);
        using var b = Of(2, 3);
        using var c = Of(3);
        using var d = Of(1, 2);
        var first = new BitmapSet { ["a"] = a, ["b"] = b, ["c"] = c };
        var second = new BitmapSet { ["a"] = a, ["b"] = d, ["c"] = b };
        Assert.NotEqual(first.Version, second.Version);
        for (var round = 0; round < 3; round++)
        {
            Assert.Equal([3u], query.Evaluate(first).ToArray());
            Assert.Equal([2u], query.Evaluate(second).ToArray());
        }
    }

    [Fact]
    public void Names_from_a_resolver_are_asked_for_on_every_run()
    {
        var query = new QueryEngine().Compile("a & b & c");
        using var a = Of(1, 2, 3);
        using var b = Of(2, 3);
        using var c = Of(3);
        using var c2 = Of(2);
        var current = c;
        var set = new BitmapSet(name => name == "c" ? current : null) { ["a"] = a, ["b"] = b };
        Assert.Equal([3u], query.Evaluate(set).ToArray());
        current = c2;
        Assert.Equal([2u], query.Evaluate(set).ToArray());
    }

    [Fact]
    public void A_fixed_resolver_is_asked_once_until_its_set_is_disposed()
    {
        using var a = Bitmap.FromValues([1u, 2u, 3u]);
        using var c = Bitmap.FromValues([2u, 3u, 4u]);
        var asked = 0;
        var set = new BitmapSet(name =>
        {
            asked++;
            return name switch { "a" => a, "c" => c, _ => null };
        }, null, resolverAnswersFixed: true);
        var query = new QueryEngine().Compile("a & c");
        Assert.Equal(2, query.Count(set));
        Assert.Equal(2, query.Count(set));
        Assert.Equal(2, asked);

        // Disposal changes the version: the next run asks again (a snapshot's resolver then throws).
        set.Dispose();
        Assert.Equal(2, query.Count(set));
        Assert.Equal(4, asked);
    }

    [Fact]
    public void A_removed_variable_still_sets_the_default_universe_after_it_changes()
    {
        // The optimizer drops b (a & (b | !b) is a); b still counts for the universe of !a.
        var query = new QueryEngine().Compile("!a & (b | !b)");
        using var a = Of(1);
        using var b = Of(3);
        using var b2 = Of(5);
        var set = new BitmapSet { ["a"] = a, ["b"] = b };
        Assert.Equal([0u, 2u, 3u], Values(query, set));
        set["b"] = b2;
        Assert.Equal([0u, 2u, 3u, 4u, 5u], Values(query, set));
    }

    private static uint[] Values(CompiledQuery query, BitmapSet set)
    {
        using var result = query.Evaluate(set);
        return result.ToArray();
    }

    private static uint[] Model(string text, BitmapSet set)
    {
        var a = set["a"].ToArray().ToHashSet();
        var b = set["b"].ToArray().ToHashSet();
        var c = set["c"].ToArray().ToHashSet();
        var universe = a.Concat(b).Concat(c).DefaultIfEmpty().Max() + 1u;
        var values = new List<uint>();
        for (var v = 0u; v < universe; v++)
        {
            var r = text switch
            {
                "a & b & c" => a.Contains(v) && b.Contains(v) && c.Contains(v),
                "a | b | c" => a.Contains(v) || b.Contains(v) || c.Contains(v),
                "a & (b | !c)" => a.Contains(v) && (b.Contains(v) || !c.Contains(v)),
                "a & c" => a.Contains(v) && c.Contains(v),
                _ => throw new ArgumentException(text, nameof(text)),
            };
            if (r)
            {
                values.Add(v);
            }
        }
        return [.. values];
    }
}
