namespace Bitfuse.Tests.Bitmaps;

/// <summary>Ranges and navigation against a sorted model: 200 random bitmaps over 16 keys, probed at edges and at random.</summary>
public sealed class BitmapNavigationTests
{
    [Fact]
    public void Navigation_and_range_questions_agree_with_the_model()
    {
        var rng = new Random(4242);
        for (var iteration = 0; iteration < 200; iteration++)
        {
            var (bitmap, model) = BitmapModel.RandomWithEdges(rng);
            using (bitmap)
            {
                var sorted = model.ToArray();
                var probes = BitmapModel.Probes(rng, sorted);
                foreach (var p in probes)
                {
                    var at = LowerBound(sorted, p);
                    Assert.Equal(at < sorted.Length ? sorted[at] : (uint?)null, bitmap.NextValue(p));
                    var upper = LowerBound(sorted, p + 1L);
                    Assert.Equal(upper > 0 ? sorted[upper - 1] : (uint?)null, bitmap.PreviousValue(p));
                    Assert.Equal(NextAbsent(sorted, p), bitmap.NextAbsentValue(p));
                }

                var ranks = new long[probes.Length];
                bitmap.Rank(probes, ranks);
                for (var i = 0; i < probes.Length; i++)
                {
                    Assert.Equal(LowerBound(sorted, probes[i] + 1L), ranks[i]);
                }
                Array.Sort(probes);
                bitmap.Rank(probes, ranks);
                for (var i = 0; i < probes.Length; i++)
                {
                    Assert.Equal(LowerBound(sorted, probes[i] + 1L), ranks[i]);
                }

                for (var r = 0; r < 24; r++)
                {
                    long s = probes[rng.Next(probes.Length)];
                    long e = rng.Next(4) switch
                    {
                        0 => s,
                        1 => 1L << 32,
                        2 => Math.Min(1L << 32, s + rng.Next(1, 200_000)),
                        _ => probes[rng.Next(probes.Length)] + 1L,
                    };
                    (s, e) = s <= e ? (s, e) : (e, s);
                    var inRange = LowerBound(sorted, e) - LowerBound(sorted, s);
                    Assert.Equal(inRange, bitmap.RangeCount(s, e));
                    Assert.Equal(inRange == e - s, bitmap.ContainsRange(s, e));
                    Assert.Equal(inRange > 0, bitmap.IntersectsRange(s, e));
                }

                foreach (var rank in new long[] { -1, 0, sorted.Length - 1, sorted.Length, rng.Next(Math.Max(1, sorted.Length)) })
                {
                    var inside = rank >= 0 && rank < sorted.Length;
                    Assert.Equal(inside, bitmap.TrySelect(rank, out var value));
                    Assert.Equal(inside ? sorted[rank] : 0u, value);
                }
            }
        }
    }

    [Fact]
    public void Edges_of_the_value_space()
    {
        using var empty = new Bitmap();
        Assert.Null(empty.NextValue(0));
        Assert.Null(empty.PreviousValue(uint.MaxValue));
        Assert.Equal(0u, empty.NextAbsentValue(0));
        Assert.Equal(0, empty.RangeCount(0, 1L << 32));
        Assert.True(empty.ContainsRange(5, 5));
        Assert.False(empty.IntersectsRange(0, 1L << 32));
        Assert.False(empty.TrySelect(0, out _));

        using var full = Bitmap.FromRange(0, 1L << 32);
        Assert.Null(full.NextAbsentValue(0));
        Assert.Null(full.NextAbsentValue(uint.MaxValue));
        Assert.Equal(1L << 32, full.RangeCount(0, 1L << 32));
        Assert.True(full.ContainsRange(0, 1L << 32));
        Assert.Equal(uint.MaxValue, full.PreviousValue(uint.MaxValue));
        Assert.True(full.TrySelect(uint.MaxValue, out var last));
        Assert.Equal(uint.MaxValue, last);

        Assert.Throws<ArgumentOutOfRangeException>(() => full.RangeCount(-1, 5));
        Assert.Throws<ArgumentOutOfRangeException>(() => full.ContainsRange(0, (1L << 32) + 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => full.IntersectsRange(7, 6));
        Assert.Throws<ArgumentException>(() => full.Rank([1u, 2u], new long[1]));
    }

    /// <summary>The first index whose value is &gt;= <paramref name="value"/> (a scalar binary search over the model).</summary>
    internal static int LowerBound(uint[] sorted, long value)
    {
        int lo = 0, hi = sorted.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) / 2;
            if (sorted[mid] < value)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }
        return lo;
    }

    private static uint? NextAbsent(uint[] sorted, uint value)
    {
        var at = LowerBound(sorted, value);
        long candidate = value;
        while (at < sorted.Length && sorted[at] == candidate)
        {
            candidate++;
            at++;
        }
        return candidate <= uint.MaxValue ? (uint)candidate : null;
    }
}
