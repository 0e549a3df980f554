namespace Bitfuse.Tests.Bitmaps;

/// <summary>BitmapSet: one lookup rule for every lookup, ownership fixed at creation, names chosen by the caller's function.</summary>
public sealed class BitmapSetTests
{
    [Fact]
    public void Every_lookup_follows_one_rule_added_bitmaps_first_then_the_resolver()
    {
        using var added = Bitmap.FromValues([1u]);
        using var resolved = Bitmap.FromValues([2u]);
        using var shadowed = Bitmap.FromValues([3u]);
        var set = new BitmapSet(name => name switch { "r" => resolved, "a" => shadowed, _ => null }) { ["a"] = added };

        foreach (var (name, expected) in new[] { ("a", added), ("r", resolved) })
        {
            Assert.Same(expected, set[name]);
            Assert.Same(expected, set.Resolve(name));
            Assert.True(set.TryGetValue(name, out var found));
            Assert.Same(expected, found);
            Assert.True(set.ContainsKey(name));
        }
        Assert.False(set.ContainsKey("x"));
        Assert.False(set.TryGetValue("x", out _));
        Assert.Throws<UnknownBitmapException>(() => set["x"]);
        Assert.Equal(["a"], set.Names);
        Assert.False(set.Remove("r"));
    }

    [Fact]
    public void A_set_that_owns_its_bitmaps_disposes_them_when_they_leave_and_a_set_that_does_not_never_does()
    {
        var replaced = Bitmap.FromValues([1u]);
        var removed = Bitmap.FromValues([2u]);
        var kept = Bitmap.FromValues([3u]);
        var owning = new BitmapSet(ownsBitmaps: true) { ["a"] = replaced, ["b"] = removed };
        Assert.True(owning.OwnsBitmaps);
        owning["a"] = kept;
        Assert.Throws<ObjectDisposedException>(() => replaced.Count);
        Assert.True(owning.Remove("b"));
        Assert.Throws<ObjectDisposedException>(() => removed.Count);
        Assert.Equal(1, kept.Count);
        owning.Dispose();
        Assert.Throws<ObjectDisposedException>(() => kept.Count);

        using var mine = Bitmap.FromValues([4u]);
        using var other = Bitmap.FromValues([5u]);
        var borrowing = new BitmapSet { ["a"] = mine };
        Assert.False(borrowing.OwnsBitmaps);
        borrowing["a"] = other;
        Assert.True(borrowing.Remove("a"));
        borrowing.Dispose();
        Assert.Equal(1, mine.Count);
        Assert.Equal(1, other.Count);
    }

    [Fact]
    public void A_read_only_bitmap_is_a_query_input_the_set_never_disposes()
    {
        var rng = new Random(77);
        var (a, modelA) = BitmapModel.Random(rng, keys: 16);
        var (b, modelB) = BitmapModel.Random(rng, keys: 16);
        var (c, modelC) = BitmapModel.Random(rng, keys: 16);
        using var ownedA = a;
        using var ownedB = b;
        using var view = ReadOnlyBitmap.CreateView(c.Serialize());
        c.Dispose();
        var set = new BitmapSet(ownsBitmaps: true);
        set.Add("a", a.AsReadOnly());
        set.Add("b", b.AsReadOnly());
        set.Add("c", view);
        Assert.Throws<ArgumentException>(() => set.Add("a", b.AsReadOnly()));

        var engine = new QueryEngine();
        var query = engine.Compile("a & (b | !c)");
        var expected = modelA.Where(v => modelB.Contains(v) || !modelC.Contains(v)).Order().ToArray();
        Assert.Equal(expected.Length, query.Count(set));
        using (var result = query.Evaluate(set))
        {
            BitmapModel.AssertValues(expected, result.ToArray());
        }

        // Replacing, removing and disposing never dispose a borrowed bitmap, even in a set that owns its own.
        var owned = Bitmap.FromValues([9u]);
        set["a"] = owned;
        Assert.Equal(modelA.Count, a.Count);
        Assert.True(set.Remove("b"));
        Assert.Equal(modelB.Count, b.Count);
        set.Dispose();
        Assert.Equal(modelC.Count, view.Count);
        Assert.Throws<ObjectDisposedException>(() => owned.Count);
    }

    [Fact]
    public void LoadFolder_names_each_file_by_the_caller_s_function_and_owns_the_bitmaps()
    {
        var folder = Directory.CreateTempSubdirectory("bitfuse-set-");
        try
        {
            File.WriteAllText(Path.Combine(folder.FullName, "census.csv2.txt"), "2,3");
            File.WriteAllText(Path.Combine(folder.FullName, "census.csv10.txt"), "10");
            var set = BitmapSet.LoadFolder(folder.FullName, stem => "col" + stem[(stem.LastIndexOf('v') + 1)..]);
            Assert.True(set.OwnsBitmaps);
            Assert.Equal(["col2", "col10"], set.Names);
            var bitmap = set["col2"];
            Assert.Equal([2u, 3u], bitmap.ToArray());
            set.Dispose();
            Assert.Throws<ObjectDisposedException>(() => bitmap.Count);

            var clash = Assert.Throws<ArgumentException>(() => BitmapSet.LoadFolder(folder.FullName, _ => "same"));
            Assert.Contains("'same'", clash.Message, StringComparison.Ordinal);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }
}
