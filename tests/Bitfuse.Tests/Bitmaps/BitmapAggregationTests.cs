namespace Bitfuse.Tests.Bitmaps;

/// <summary>
/// OrMany, AndMany, XorMany and their counts against a model that counts each value's inputs: 200 random spans of
/// 0 to 24 bitmaps over 16 keys (every container kind, optimized or not), so both key walks of the multi-way code run
/// (the k-way merge up to 16 inputs, the bucket sort beyond); spans repeat the same bitmap, hold views, and are left
/// unchanged.
/// </summary>
public sealed class BitmapAggregationTests
{
    private const int Universe = 16 << 16;

    [Fact]
    public void Many_way_operations_agree_with_the_model()
    {
        var rng = new Random(1515);

        // A pool of bitmaps (some as views over their serialized bytes) that the 200 spans draw from: building the
        // random bitmaps costs far more than combining them.
        const int PoolSize = 48;
        var pool = new Bitmap[PoolSize];
        var views = new Bitmap[PoolSize];
        var models = new uint[PoolSize][];
        try
        {
            for (var i = 0; i < PoolSize; i++)
            {
                var (bitmap, model) = BitmapModel.Random(rng, keys: 16, containers: 6);
                pool[i] = bitmap;
                views[i] = Bitmap.CreateView(bitmap.Serialize());
                models[i] = model.ToArray();
            }
            var counts = new byte[Universe];
            for (var iteration = 0; iteration < 200; iteration++)
            {
                var count = iteration switch
                {
                    0 => 0,
                    1 => 1,
                    2 => 2,
                    _ => rng.Next(4) == 0 ? rng.Next(17, 25) : rng.Next(0, 17),
                };
                var inputs = new Bitmap[count];
                var chosen = new int[count];
                for (var i = 0; i < count; i++)
                {
                    // Sometimes the same bitmap again: it cancels itself in XOR and changes nothing in OR and AND.
                    chosen[i] = i > 0 && rng.Next(6) == 0 ? chosen[rng.Next(i)] : rng.Next(PoolSize);
                    inputs[i] = rng.Next(5) == 0 ? views[chosen[i]] : pool[chosen[i]];
                }

                // The model counts each value's inputs over the whole 16-key universe.
                Array.Clear(counts);
                foreach (var c in chosen)
                {
                    foreach (var v in models[c])
                    {
                        counts[v]++;
                    }
                }
                var union = new List<uint>();
                var intersection = new List<uint>();
                var odd = new List<uint>();
                for (var v = 0; v < Universe; v++)
                {
                    var n = counts[v];
                    if (n > 0)
                    {
                        union.Add((uint)v);
                    }
                    if (n == count && count > 0)
                    {
                        intersection.Add((uint)v);
                    }
                    if ((n & 1) == 1)
                    {
                        odd.Add((uint)v);
                    }
                }

                using (var or = Bitmap.OrMany(inputs))
                using (var and = Bitmap.AndMany(inputs))
                using (var xor = Bitmap.XorMany(inputs))
                {
                    AssertHolds(union, or);
                    AssertHolds(intersection, and);
                    AssertHolds(odd, xor);
                }
                Assert.Equal(union.Count, Bitmap.OrManyCount(inputs));
                Assert.Equal(intersection.Count, Bitmap.AndManyCount(inputs));
                Assert.Equal(odd.Count, Bitmap.XorManyCount(inputs));

                // The enumerable overloads take the same path.
                using (var or = Bitmap.OrMany(inputs.ToList()))
                {
                    AssertHolds(union, or);
                }
                Assert.Equal(odd.Count, Bitmap.XorManyCount(inputs.ToList()));
                Assert.Equal(intersection.Count, Bitmap.AndManyCount(inputs.ToList()));

                // Read-only wrappers aggregate through the same code.
                var readOnly = inputs.Select(b => b.AsReadOnly()).ToArray();
                using (var or = ReadOnlyBitmap.OrMany(readOnly))
                using (var and = ReadOnlyBitmap.AndMany(readOnly))
                using (var xor = ReadOnlyBitmap.XorMany(readOnly))
                {
                    AssertHolds(union, or);
                    AssertHolds(intersection, and);
                    AssertHolds(odd, xor);
                }
                Assert.Equal(union.Count, ReadOnlyBitmap.OrManyCount(readOnly));
                Assert.Equal(intersection.Count, ReadOnlyBitmap.AndManyCount(readOnly));
                Assert.Equal(odd.Count, ReadOnlyBitmap.XorManyCount(readOnly));
            }
            for (var i = 0; i < PoolSize; i++)
            {
                BitmapModel.AssertValues(models[i], pool[i].ToArray());
            }
        }
        finally
        {
            foreach (var bitmap in pool.Concat(views))
            {
                bitmap?.Dispose();
            }
        }
    }

    private static void AssertHolds(List<uint> expected, Bitmap bitmap)
    {
        BitmapModel.AssertValid(bitmap);
        BitmapModel.AssertValues(expected.ToArray(), bitmap.ToArray());
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
