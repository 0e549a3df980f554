namespace Bitfuse.Tests.Bitmaps;

/// <summary>IReadOnlySet relations and TryDeserialize, against a SortedSet model: 200 random pairs over 16 keys.</summary>
public sealed class BitmapSetRelationTests
{
    [Fact]
    public void Set_relations_agree_with_the_model_for_bitmaps_and_plain_sequences()
    {
        var rng = new Random(2024);
        for (var iteration = 0; iteration < 200; iteration++)
        {
            var (a, modelA) = BitmapModel.Random(rng, keys: 16);
            var (b, modelB) = Related(rng, a, modelA);
            using (a)
            using (b)
            {
                // A plain sequence with duplicates and in descending order takes the general path.
                var sequence = modelB.Reverse().Concat(modelB.Take(3)).ToList();
                Assert.Equal(modelA.IsSubsetOf(modelB), a.IsSubsetOf(b));
                Assert.Equal(modelA.IsSubsetOf(modelB), a.IsSubsetOf(sequence));
                Assert.Equal(modelA.IsSupersetOf(modelB), a.IsSupersetOf(b));
                Assert.Equal(modelA.IsSupersetOf(modelB), a.IsSupersetOf(sequence));
                Assert.Equal(modelA.IsProperSubsetOf(modelB), a.IsProperSubsetOf(b));
                Assert.Equal(modelA.IsProperSubsetOf(modelB), a.IsProperSubsetOf(sequence));
                Assert.Equal(modelA.IsProperSupersetOf(modelB), a.IsProperSupersetOf(b));
                Assert.Equal(modelA.IsProperSupersetOf(modelB), a.IsProperSupersetOf(sequence));
                Assert.Equal(modelA.Overlaps(modelB), a.Overlaps(b));
                Assert.Equal(modelA.Overlaps(modelB), a.Overlaps(sequence));
                Assert.Equal(modelA.SetEquals(modelB), a.SetEquals(b));
                Assert.Equal(modelA.SetEquals(modelB), a.SetEquals(sequence));
                // Through the interface, as generic code sees it.
                IReadOnlySet<uint> set = a;
                Assert.Equal(modelA.Count, set.Count);
                Assert.Equal(modelA.IsSubsetOf(modelB), set.IsSubsetOf(b));
                var probe = modelB.Count > 0 ? modelB.Max : 0u;
                Assert.Equal(modelA.Contains(probe), set.Contains(probe));
                BitmapModel.AssertSame(modelA, a);
                BitmapModel.AssertSame(modelB, b);
            }
        }
    }

    [Fact]
    public void Relations_with_the_empty_set_and_with_itself()
    {
        using var empty = new Bitmap();
        using var some = Bitmap.FromValues([0u, 65_535u, 65_536u, uint.MaxValue]);
        Assert.True(empty.IsSubsetOf(some));
        Assert.True(empty.IsProperSubsetOf(some));
        Assert.False(empty.IsProperSubsetOf(empty));
        Assert.True(empty.IsSubsetOf(Array.Empty<uint>()));
        Assert.True(some.IsSupersetOf(Array.Empty<uint>()));
        Assert.False(some.Overlaps(Array.Empty<uint>()));
        Assert.True(some.IsSubsetOf(some));
        Assert.False(some.IsProperSupersetOf(some));
        Assert.True(some.SetEquals([uint.MaxValue, 0u, 65_536u, 65_535u, 0u]));
        Assert.False(some.SetEquals([uint.MaxValue, 0u, 65_536u]));
        Assert.Throws<ArgumentNullException>(() => some.IsSubsetOf((IEnumerable<uint>)null!));
    }

    [Fact]
    public void TryDeserialize_accepts_what_Serialize_wrote_and_refuses_damaged_data()
    {
        var rng = new Random(77);
        for (var iteration = 0; iteration < 200; iteration++)
        {
            var (bitmap, model) = BitmapModel.Random(rng, keys: 16);
            using (bitmap)
            {
                var bytes = bitmap.Serialize();
                Assert.True(Bitmap.TryDeserialize(bytes, out var back));
                using (back)
                {
                    BitmapModel.AssertSame(model, back);
                }
                Assert.False(Bitmap.TryDeserialize(bytes.AsSpan(0, rng.Next(bytes.Length)), out var truncated));
                Assert.Null(truncated);
                Assert.False(Bitmap.TryDeserialize([.. bytes, 0], out var trailing));
                Assert.Null(trailing);
            }
        }
        Assert.False(Bitmap.TryDeserialize([1, 2, 3, 4, 0, 0, 0, 0], out _));
    }

    /// <summary>A second set related to the first: an equal copy stored differently, a subset, a superset, or unrelated.</summary>
    private static (Bitmap, SortedSet<uint>) Related(Random rng, Bitmap a, SortedSet<uint> modelA)
    {
        switch (rng.Next(4))
        {
            case 0:
                {
                    var copy = a.Clone();
                    copy.Optimize();
                    return (copy, new SortedSet<uint>(modelA));
                }
            case 1:
                {
                    var copy = a.Clone();
                    var model = new SortedSet<uint>(modelA);
                    foreach (var v in modelA.Where(_ => rng.Next(100) == 0).ToList())
                    {
                        copy.Remove(v);
                        model.Remove(v);
                    }
                    return (copy, model);
                }
            case 2:
                {
                    var copy = a.Clone();
                    var model = new SortedSet<uint>(modelA);
                    for (var i = rng.Next(3); i > 0; i--)
                    {
                        var v = (uint)rng.Next(0, 16 << 16);
                        copy.Add(v);
                        model.Add(v);
                    }
                    return (copy, model);
                }
            default:
                return BitmapModel.Random(rng, keys: 16);
        }
    }
}
