using Bitfuse.Isolation.Noise;

namespace Bitfuse.Isolation.Tests;

public sealed class NoiseSamplerTests
{
    [Theory]
    [InlineData(ClockKind.Rdtsc)]
    [InlineData(ClockKind.Stopwatch)]
    public void Measurement_loop_allocates_nothing_and_counts_every_iteration(ClockKind kind)
    {
        var clock = TimestampClock.Create(kind, TimeSpan.FromMilliseconds(15));
        var sampler = new NoiseSampler(cpu: 0, eventCapacity: 64);
        sampler.Run(clock, clock.Read() + clock.FromNs(5e6), clock.FromNs(1000)); // compiles the loop
        sampler.Reset();

        var before = GC.GetAllocatedBytesForCurrentThread();
        sampler.Run(clock, clock.Read() + clock.FromNs(30e6), clock.FromNs(1000));
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.True(sampler.Samples > 100);
        Assert.Equal(sampler.Samples, sampler.Histogram.Total);
        Assert.Equal(sampler.Events.Written, sampler.PublishedGaps);
        Assert.True(sampler.EndTick > sampler.StartTick);
        Assert.InRange(sampler.MaxGap, LogLinearHistogram.LowerBound(sampler.Histogram.HighestIndex()), LogLinearHistogram.UpperBound(sampler.Histogram.HighestIndex()));
    }

    [Fact]
    public void Stop_request_ends_a_long_run_early()
    {
        var clock = TimestampClock.Create(ClockKind.Stopwatch);
        var sampler = new NoiseSampler(cpu: 0, eventCapacity: 16);
        sampler.RequestStop();
        sampler.Run(clock, clock.Read() + clock.FromNs(60e9), ulong.MaxValue);
        Assert.True(sampler.Samples > 0);
        Assert.True(clock.ToNs(sampler.EndTick - sampler.StartTick) < 30e9);
    }
}
