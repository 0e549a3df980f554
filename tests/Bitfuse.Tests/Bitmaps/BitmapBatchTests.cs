namespace Bitfuse.Tests.Bitmaps;

/// <summary>RemoveMany, ContainsMany, AddOffset and Jaccard against a SortedSet model: 200 random bitmaps over 16 keys.</summary>
public sealed class BitmapBatchTests
{
    [Fact]
    public void RemoveMany_and_ContainsMany_agree_with_the_model()
    {
        var rng = new Random(5150);
        for (var iteration = 0; iteration < 200; iteration++)
        {
            var (bitmap, model) = BitmapModel.RandomWithEdges(rng);
            using (bitmap)
            {
                var sorted = model.ToArray();
                var probes = BitmapModel.Probes(rng, sorted);
                var found = new bool[probes.Length];
                bitmap.ContainsMany(probes, found);
                for (var i = 0; i < probes.Length; i++)
                {
                    Assert.Equal(model.Contains(probes[i]), found[i]);
                }

                // Present values (sometimes all of one stretch, emptying containers), absent ones and duplicates.
                var doomed = new List<uint>(probes);
                if (sorted.Length > 0)
                {
                    var from = rng.Next(sorted.Length);
                    doomed.AddRange(sorted.AsSpan(from, Math.Min(sorted.Length - from, rng.Next(1, 80_000))).ToArray());
                }
                var values = doomed.ToArray();
                if (rng.Next(2) == 0)
                {
                    Array.Sort(values);
                }
                bitmap.RemoveMany(values);
                model.ExceptWith(values);
                BitmapModel.AssertSame(model, bitmap);
            }
        }
    }

    [Fact]
    public void AddOffset_shifts_every_value_and_drops_what_leaves_the_value_space()
    {
        var rng = new Random(6006);
        for (var iteration = 0; iteration < 200; iteration++)
        {
            var (bitmap, model) = BitmapModel.RandomWithEdges(rng);
            using (bitmap)
            {
                long offset = rng.Next(8) switch
                {
                    0 => 0,
                    1 => rng.Next(2) == 0 ? 1 : -1,
                    2 => (long)rng.Next(-20, 20) << 16,
                    3 => rng.Next(-200_000, 200_000),
                    4 => (1L << 32) - rng.Next(1, 200_000),
                    5 => -(1L << 32) + rng.Next(1, 200_000),
                    6 => rng.Next(2) == 0 ? 1L << 32 : -(1L << 32),
                    _ => rng.NextInt64(-(1L << 32), 1L << 32),
                };
                using var shifted = bitmap.AddOffset(offset);
                var expected = new SortedSet<uint>(model.Select(v => v + offset).Where(v => v is >= 0 and <= uint.MaxValue).Select(v => (uint)v));
                BitmapModel.AssertSame(expected, shifted);
                BitmapModel.AssertSame(model, bitmap);
            }
        }
    }

    [Fact]
    public void Jaccard_agrees_with_the_model()
    {
        var rng = new Random(7007);
        for (var iteration = 0; iteration < 200; iteration++)
        {
            var (a, modelA) = BitmapModel.Random(rng, keys: 16);
            var (b, modelB) = BitmapModel.Random(rng, keys: 16);
            using (a)
            using (b)
            {
                var and = modelA.Count(modelB.Contains);
                var or = modelA.Count + modelB.Count - and;
                Assert.Equal(or == 0 ? 1.0 : (double)and / or, a.Jaccard(b));
                Assert.Equal(1.0, a.Jaccard(a));
            }
        }
        using var empty = new Bitmap();
        using var one = Bitmap.FromValues([uint.MaxValue]);
        Assert.Equal(1.0, empty.Jaccard(empty));
        Assert.Equal(0.0, empty.Jaccard(one));
    }
}
