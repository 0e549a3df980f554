using Bitfuse.Isolation.Noise;
using CsCheck;

namespace Bitfuse.Isolation.Tests;

public sealed class LogLinearHistogramTests
{
    [Fact]
    public void Every_value_lands_in_a_bucket_whose_bounds_hold_it()
    {
        Gen.ULong.Sample(value =>
        {
            var index = LogLinearHistogram.IndexOf(value);
            Assert.InRange(index, 0, LogLinearHistogram.BucketCount - 1);
            Assert.InRange(value, LogLinearHistogram.LowerBound(index), LogLinearHistogram.UpperBound(index));
        });
        Assert.Equal(LogLinearHistogram.BucketCount - 1, LogLinearHistogram.IndexOf(ulong.MaxValue));
        Assert.Equal(ulong.MaxValue, LogLinearHistogram.UpperBound(LogLinearHistogram.BucketCount - 1));
    }

    [Fact]
    public void Buckets_tile_the_number_line_without_gaps_and_stay_narrow()
    {
        for (var i = 1; i < LogLinearHistogram.BucketCount; i++)
        {
            Assert.Equal(LogLinearHistogram.UpperBound(i - 1) + 1, LogLinearHistogram.LowerBound(i));
            var lower = LogLinearHistogram.LowerBound(i);
            var width = LogLinearHistogram.UpperBound(i) - lower + 1;
            Assert.True(width == 1 || width <= lower / 16 + 1, $"bucket {i} is {width} wide at {lower}");
        }
    }

    [Fact]
    public void Totals_and_quantiles_match_a_sorted_array()
    {
        Gen.ULong[0, 1UL << 40].Array[1, 500].Sample(values =>
        {
            var histogram = new LogLinearHistogram();
            foreach (var v in values)
            {
                histogram.Record(v);
            }
            Assert.Equal(values.Length, histogram.Total);
            var sorted = values.Order().ToArray();
            foreach (var q in new[] { 0.01, 0.5, 0.9, 0.99, 0.999, 1.0 })
            {
                var exact = sorted[Math.Max(0, (int)Math.Ceiling(q * sorted.Length) - 1)];
                var reported = histogram.ValueAtQuantile(q);
                Assert.True(reported >= exact, $"q {q}: {reported} < exact {exact}");
                Assert.True(reported <= exact + (exact / 16) + 1, $"q {q}: {reported} too far above exact {exact}");
            }
        });
    }

    [Fact]
    public void Empty_histogram_reports_zero_and_clear_forgets()
    {
        var histogram = new LogLinearHistogram();
        Assert.Equal(0UL, histogram.ValueAtQuantile(0.99));
        Assert.Equal(-1, histogram.HighestIndex());
        histogram.Record(12345);
        Assert.Equal(LogLinearHistogram.IndexOf(12345), histogram.HighestIndex());
        histogram.Clear();
        Assert.Equal(0, histogram.Total);
    }

    [Fact]
    public void Recording_does_not_allocate()
    {
        var histogram = new LogLinearHistogram();
        histogram.Record(1);
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (ulong v = 0; v < 100_000; v++)
        {
            histogram.Record(v * 7919);
        }
        Assert.Equal(before, GC.GetAllocatedBytesForCurrentThread());
    }
}
