namespace Bitfuse.Tests.Bitmaps;

/// <summary>The batch reader, range-limited reading and ForEach against a sorted model: 200 random bitmaps over 16 keys.</summary>
public sealed class BitmapReaderTests
{
    private static readonly int[] BatchSizes = [1, 2, 7, 64, 256, 4097, 70_000];

    [Fact]
    public void Reads_and_skips_agree_with_a_cursor_over_the_model()
    {
        var rng = new Random(8118);
        for (var iteration = 0; iteration < 200; iteration++)
        {
            var (bitmap, model) = BitmapModel.RandomWithEdges(rng);
            using (bitmap)
            {
                var sorted = model.ToArray();
                var probes = BitmapModel.Probes(rng, sorted);
                long start = 0, end = 1L << 32;
                if (rng.Next(2) == 0)
                {
                    (start, end) = (probes[rng.Next(probes.Length)], probes[rng.Next(probes.Length)] + 1L);
                    (start, end) = start <= end ? (start, end) : (end - 1, start + 1);
                }
                var reader = bitmap.GetReader(start, end);
                var position = BitmapNavigationTests.LowerBound(sorted, start);
                var stop = BitmapNavigationTests.LowerBound(sorted, end);
                var buffer = new uint[BatchSizes[^1]];
                while (true)
                {
                    if (rng.Next(3) == 0)
                    {
                        var target = probes[rng.Next(probes.Length)];
                        reader.AdvanceTo(target);
                        position = Math.Max(position, BitmapNavigationTests.LowerBound(sorted, target));
                    }
                    var size = BatchSizes[rng.Next(BatchSizes.Length)];
                    var n = reader.Read(buffer.AsSpan(0, size));
                    var expected = Math.Min(size, Math.Max(0, stop - position));
                    Assert.Equal(expected, n);
                    Assert.Equal(sorted.AsSpan(position, n).ToArray(), buffer.AsSpan(0, n).ToArray());
                    position += n;
                    if (n == 0)
                    {
                        break;
                    }
                }
                Assert.Equal(0, reader.Read(buffer));
            }
        }
    }

    [Fact]
    public void ForEach_hands_over_every_value_in_the_range_in_batches()
    {
        var rng = new Random(9119);
        for (var iteration = 0; iteration < 200; iteration++)
        {
            var (bitmap, model) = BitmapModel.RandomWithEdges(rng);
            using (bitmap)
            {
                var sorted = model.ToArray();
                var probes = BitmapModel.Probes(rng, sorted);
                long start = probes[rng.Next(probes.Length)];
                var end = rng.Next(2) == 0 ? 1L << 32 : Math.Max(start, probes[rng.Next(probes.Length)]);
                var seen = new List<uint>();
                var calls = 0;
                bitmap.ForEach(batch =>
                {
                    Assert.InRange(batch.Length, 1, 256);
                    seen.AddRange(batch);
                    calls++;
                }, start, end);
                var from = BitmapNavigationTests.LowerBound(sorted, start);
                var expected = sorted.AsSpan(from, BitmapNavigationTests.LowerBound(sorted, end) - from).ToArray();
                Assert.Equal(expected, seen);
                Assert.Equal((expected.Length + 255) / 256, calls);
            }
        }
    }

    [Fact]
    public void A_change_or_dispose_makes_the_next_read_throw()
    {
        using var bitmap = Bitmap.FromValues([1u, 2u, 70_000u]);
        var reader = bitmap.GetReader();
        var one = new uint[1];
        Assert.Equal(1, reader.Read(one));
        bitmap.Add(3);
        Assert.Contains("changed", Assert.Throws<InvalidOperationException>(() => reader.Read(one)).Message, StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() => reader.AdvanceTo(5));

        var disposed = Bitmap.FromValues([1u, 2u]);
        var stale = disposed.GetReader();
        disposed.Dispose();
        Assert.Throws<ObjectDisposedException>(() => stale.Read(one));
        Assert.Throws<ArgumentOutOfRangeException>(() => bitmap.GetReader(5, 4));
    }
}
