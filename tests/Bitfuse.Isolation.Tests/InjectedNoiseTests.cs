using Bitfuse.Isolation;
using Bitfuse.Isolation.Noise;
using Bitfuse.Isolation.Pinning;

namespace Bitfuse.Isolation.Tests;

/// <summary>
/// A second thread pinned to the measured CPU takes it for a known time at a known rate; the meter must
/// report gaps covering each of those bursts. Other load on this shared machine only adds gaps, so each
/// burst is matched by time against the meter's events rather than by counting.
/// </summary>
[Collection(MachineCollection.Name)]
public sealed class InjectedNoiseTests
{
    private const int BurstMicroseconds = 1000;
    private const int PeriodMilliseconds = 12;

    [Fact]
    public void Meter_reports_a_gap_of_about_the_burst_length_for_each_burst()
    {
        var cpu = MachineCollection.TestCpu;
        var clock = TimestampClock.Create();
        var starts = new ulong[1000];
        var ends = new ulong[1000];
        var bursts = 0;
        var stop = 0;
        var burstTicks = clock.FromNs(BurstMicroseconds * 1000.0);
        var injector = PinnedThread.Start(new PinnedThreadOptions(cpu) { Name = "noise injector" }, _ =>
        {
            while (Volatile.Read(ref stop) == 0 && bursts < starts.Length)
            {
                Thread.Sleep(PeriodMilliseconds);
                var start = clock.Read();
                while (clock.Read() - start < burstTicks)
                {
                    // hold the CPU
                }
                starts[bursts] = start;
                ends[bursts] = clock.Read();
                bursts++;
            }
        });
        injector.WaitPrepared();
        NoiseReport report;
        try
        {
            report = NoiseMeter.Run(new NoiseOptions(CpuSet.Of(cpu))
            {
                Duration = TimeSpan.FromMilliseconds(1500),
                Threshold = TimeSpan.FromMicroseconds(100),
                IncludeAudit = false,
                MoveRuntimeThreads = false,
            });
        }
        finally
        {
            Volatile.Write(ref stop, 1);
            injector.Join();
        }

        var result = report.Cpus[0];
        Assert.Equal(report.Clock.Kind, clock.Kind);
        var nsPerTick = 1e9 / report.Clock.TicksPerSecond;
        var windowEnd = report.DurationSeconds * 1e9;
        var matched = 0;
        var inside = 0;
        var ratios = new List<double>();
        for (var b = 0; b < bursts; b++)
        {
            var burstStart = ((double)starts[b] - result.StartTimestamp) * nsPerTick;
            var burstEnd = ((double)ends[b] - result.StartTimestamp) * nsPerTick;
            if (burstStart < 0 || burstEnd > windowEnd)
            {
                continue;
            }
            inside++;
            // The gaps the meter reported during the burst must cover it: one gap when the burst ran in one piece,
            // several when other work on this shared CPU interleaved with it (the spinner ran in between).
            const double slack = 20_000; // the two clocks were calibrated separately
            double covered = 0;
            double longest = 0;
            foreach (var e in result.Events)
            {
                var overlap = Math.Min(e.OffsetNs + e.GapNs, burstEnd) - Math.Max(e.OffsetNs, burstStart);
                if (overlap > 0)
                {
                    covered += overlap;
                    longest = Math.Max(longest, e.GapNs);
                }
            }
            if (covered >= (burstEnd - burstStart) * 0.8 - slack)
            {
                matched++;
                ratios.Add(longest / (burstEnd - burstStart));
            }
        }

        Assert.True(inside >= 20, $"only {inside} bursts fell inside the measurement");
        Assert.True(matched >= inside * 0.75, $"{matched} of {inside} bursts were covered by reported gaps");
        var burstNs = 0.0;
        for (var b = 0; b < bursts; b++)
        {
            burstNs += (ends[b] - starts[b]) * nsPerTick;
        }
        var noiseNs = result.NoiseNsPerSecond * report.DurationSeconds;
        Assert.True(noiseNs >= burstNs * inside / bursts * 0.8, $"noise {noiseNs / 1e6:F1} ms is less than the injected {burstNs / 1e6:F1} ms");

        // On a quiet CPU the gap that covers a burst is about the burst: check it when other work took under 5 % of the
        // CPU during the run (a shared build machine under load stretches gaps with other processes' time slices).
        ratios.Sort();
        var median = ratios[ratios.Count / 2];
        var otherShare = (noiseNs - (burstNs * inside / bursts)) / (report.DurationSeconds * 1e9);
        if (otherShare < 0.05)
        {
            Assert.True(median is >= 0.95 and <= 2.0, $"median gap/burst {median:F2} with {otherShare:P1} of the CPU taken by other work");
        }
        Assert.True(result.Gaps > 0, "the meter reported no gap at all");
    }
}
