namespace Bitfuse.Tests.Bitmaps;

/// <summary>
/// OrMany, AndMany, XorMany and their counts against a SortedSet model: 200 random spans of 0 to 24 bitmaps over
/// 16 keys (every container kind, optimized or not), so both key walks of the multi-way code run (the k-way merge
/// up to 16 inputs, the bucket sort beyond); spans repeat the same bitmap, hold views, and are left unchanged.
/// </summary>
public sealed class BitmapAggregationTests
{
    [Fact]
    public void Many_way_operations_agree_with_the_model()
    {
        var rng = new Random(1515);
        for (var iteration = 0; iteration < 200; iteration++)
        {
            var count = iteration switch
            {
                0 => 0,
                1 => 1,
                2 => 2,
                _ => rng.Next(4) == 0 ? rng.Next(17, 25) : rng.Next(0, 17),
            };
            var owned = new List<Bitmap>();
            var inputs = new List<Bitmap>();
            var models = new List<SortedSet<uint>>();
            try
            {
                for (var i = 0; i < count; i++)
                {
                    if (i > 0 && rng.Next(6) == 0)
                    {
                        // The same bitmap again: cancels itself in XOR, changes nothing in OR and AND.
                        var again = rng.Next(inputs.Count);
                        inputs.Add(inputs[again]);
                        models.Add(models[again]);
                        continue;
                    }
                    var (bitmap, model) = rng.Next(8) == 0 ? BitmapModel.RandomWithEdges(rng) : BitmapModel.Random(rng, keys: 16, containers: 6);
                    owned.Add(bitmap);
                    var input = bitmap;
                    if (rng.Next(5) == 0)
                    {
                        input = Bitmap.CreateView(bitmap.Serialize());
                        owned.Add(input);
                    }
                    inputs.Add(input);
                    models.Add(model);
                }

                var union = new SortedSet<uint>();
                var parity = new Dictionary<uint, int>();
                SortedSet<uint>? intersection = null;
                foreach (var model in models)
                {
                    union.UnionWith(model);
                    foreach (var v in model)
                    {
                        parity[v] = parity.GetValueOrDefault(v) + 1;
                    }
                    if (intersection is null)
                    {
                        intersection = new SortedSet<uint>(model);
                    }
                    else
                    {
                        intersection.IntersectWith(model);
                    }
                }
                var odd = new SortedSet<uint>(parity.Where(p => p.Value % 2 == 1).Select(p => p.Key));
                intersection ??= [];

                var span = inputs.ToArray();
                using (var or = Bitmap.OrMany(span))
                using (var and = Bitmap.AndMany(span))
                using (var xor = Bitmap.XorMany(span))
                {
                    BitmapModel.AssertSame(union, or);
                    BitmapModel.AssertSame(intersection, and);
                    BitmapModel.AssertSame(odd, xor);
                }
                Assert.Equal(union.Count, Bitmap.OrManyCount(span));
                Assert.Equal(intersection.Count, Bitmap.AndManyCount(span));
                Assert.Equal(odd.Count, Bitmap.XorManyCount(span));

                // The enumerable overloads take the same path.
                using (var or = Bitmap.OrMany(inputs))
                {
                    BitmapModel.AssertSame(union, or);
                }
                Assert.Equal(odd.Count, Bitmap.XorManyCount(inputs));
                Assert.Equal(intersection.Count, Bitmap.AndManyCount(inputs));

                for (var i = 0; i < inputs.Count; i++)
                {
                    BitmapModel.AssertSame(models[i], inputs[i]);
                }
            }
            finally
            {
                foreach (var bitmap in owned)
                {
                    bitmap.Dispose();
                }
            }
        }
    }

    [Fact]
    public void A_result_is_a_new_bitmap_the_caller_owns()
    {
        using var a = Bitmap.FromValues([1, 2, 3]);
        using var or = Bitmap.OrMany(a);
        or.Add(4);
        Assert.Equal(3, a.Count);
        Assert.Equal([1u, 2, 3, 4], or.ToArray());
        using var empty = Bitmap.AndMany();
        Assert.True(empty.IsEmpty);
        empty.Add(7);
        Assert.Equal(1, empty.Count);
    }

    [Fact]
    public void Null_or_disposed_inputs_are_refused()
    {
        using var a = Bitmap.FromValues([1, 2, 3]);
        var disposed = Bitmap.FromValues([5]);
        disposed.Dispose();
        Assert.Throws<ArgumentNullException>(() => Bitmap.OrMany(a, null!, a));
        Assert.Throws<ObjectDisposedException>(() => Bitmap.AndManyCount(a, a, disposed));
        Assert.Throws<ObjectDisposedException>(() => Bitmap.XorMany(disposed));
        Assert.Throws<ArgumentNullException>(() => Bitmap.OrMany((IEnumerable<Bitmap>)null!));
    }
}
