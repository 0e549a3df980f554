using System.Diagnostics;
using Bitfuse.Isolation.Noise;

namespace Bitfuse.Isolation.Tests;

public sealed class TimestampClockTests
{
    [Fact]
    public void Rdtsc_is_chosen_on_an_invariant_tsc_and_agrees_with_stopwatch()
    {
        var clock = TimestampClock.Create();
        var invariant = (File.ReadAllText("/proc/cpuinfo") is var info) && info.Contains(" constant_tsc", StringComparison.Ordinal) && info.Contains(" nonstop_tsc", StringComparison.Ordinal);
        Assert.Equal(invariant ? ClockKind.Rdtsc : ClockKind.Stopwatch, clock.Kind);

        // The same interval measured by both clocks: the calibrated rate makes them agree within 2 %.
        var ticks0 = clock.Read();
        var sw0 = Stopwatch.GetTimestamp();
        Thread.Sleep(50);
        var ticks1 = clock.Read();
        var sw1 = Stopwatch.GetTimestamp();
        var byClock = clock.ToNs(ticks1 - ticks0);
        var byStopwatch = (sw1 - sw0) * 1e9 / Stopwatch.Frequency;
        Assert.InRange(byClock / byStopwatch, 0.98, 1.02);
        Assert.True(ticks1 > ticks0);
    }

    [Fact]
    public void Stopwatch_clock_runs_at_stopwatch_frequency()
    {
        var clock = TimestampClock.Create(ClockKind.Stopwatch);
        Assert.Equal(ClockKind.Stopwatch, clock.Kind);
        Assert.Equal(Stopwatch.Frequency, clock.TicksPerSecond);
        Assert.Equal(1000UL * (ulong)Stopwatch.Frequency / 1_000_000_000UL, clock.FromNs(1000));
    }

    [Fact]
    public void Calibration_recovers_a_known_rate()
    {
        // A counter that runs at exactly a quarter of Stopwatch's rate (nanoseconds on Linux).
        var rate = TscCalibration.Calibrate(() => (ulong)Stopwatch.GetTimestamp() / 4, TimeSpan.FromMilliseconds(30));
        Assert.InRange(rate / (Stopwatch.Frequency / 4.0), 0.99, 1.01);
    }
}
