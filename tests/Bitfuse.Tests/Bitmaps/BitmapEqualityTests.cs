namespace Bitfuse.Tests.Bitmaps;

/// <summary>Equality, hashing and the set operators, against a SortedSet model: 200 random pairs over 16 keys.</summary>
public sealed class BitmapEqualityTests
{
    [Fact]
    public void Equality_hash_and_operators_agree_with_the_model()
    {
        var rng = new Random(1616);
        for (var iteration = 0; iteration < 200; iteration++)
        {
            var (a, modelA) = BitmapModel.Random(rng, keys: 16);
            // Half the time b is a differently stored copy of a (optimized into runs, or one value away).
            var (b, modelB) = rng.Next(4) switch
            {
                0 => (Copy(a, optimize: true), new SortedSet<uint>(modelA)),
                1 when modelA.Count > 0 => Without(a, modelA, modelA.Min),
                _ => BitmapModel.Random(rng, keys: 16),
            };
            using (a)
            using (b)
            {
                var same = modelA.SetEquals(modelB);
                Assert.Equal(same, a == b);
                Assert.Equal(same, b == a);
                Assert.Equal(!same, a != b);
                Assert.Equal(same, a.Equals((object)b));
                if (same)
                {
                    Assert.Equal(a.GetHashCode(), b.GetHashCode());
                }

                using var and = a & b;
                using var or = a | b;
                using var xor = a ^ b;
                using var andNot = a - b;
                Assert.Equal(modelA.Intersect(modelB).ToArray(), and.ToArray());
                Assert.Equal(modelA.Union(modelB).Order().ToArray(), or.ToArray());
                var symmetric = new SortedSet<uint>(modelA);
                symmetric.SymmetricExceptWith(modelB);
                Assert.Equal(symmetric.ToArray(), xor.ToArray());
                Assert.Equal(modelA.Except(modelB).ToArray(), andNot.ToArray());
                Assert.Equal(modelA.ToArray(), a.ToArray());
            }
        }
    }

    [Fact]
    public void Null_compares_equal_only_to_null()
    {
        using var empty = new Bitmap();
        Bitmap? none = null;
        Assert.False(empty == none);
        Assert.False(none == empty);
        Assert.True(none == null);
        Assert.False(empty.Equals(null));
        Assert.Throws<ArgumentNullException>(() => none! & empty);
        Assert.Throws<ArgumentNullException>(() => empty | none!);
    }

    [Fact]
    public void A_disposed_bitmap_compares_unequal_to_null_without_throwing()
    {
        var disposed = Bitmap.FromValues([1u, 2u]);
        disposed.Dispose();
        Assert.True(disposed != null);
        Assert.False(disposed.Equals(null));
        using var live = Bitmap.FromValues([1u, 2u]);
        Assert.Throws<ObjectDisposedException>(() => disposed == live);
    }

    private static Bitmap Copy(Bitmap source, bool optimize)
    {
        var copy = source.Clone();
        if (optimize)
        {
            copy.Optimize();
        }
        return copy;
    }

    private static (Bitmap, SortedSet<uint>) Without(Bitmap source, SortedSet<uint> model, uint value)
    {
        var copy = source.Clone();
        copy.Remove(value);
        var copyModel = new SortedSet<uint>(model);
        copyModel.Remove(value);
        return (copy, copyModel);
    }
}
