using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace Bitfuse.Isolation.Noise;

/// <summary>
/// The measurement loop of one CPU and its preallocated state. The loop reads the clock, puts the gap since
/// the previous read into the histogram, and on a gap over the threshold also writes the event ring and
/// publishes running totals for the interval sampler. Invariants: the loop allocates nothing, makes no
/// virtual or interface calls (the clock is a struct type argument), and every iteration records exactly
/// one gap, so <c>histogram.Total == Samples</c>.
/// </summary>
internal sealed unsafe class NoiseSampler
{
    private long _publishedGaps;
    private long _publishedNoiseTicks;
    private volatile bool _stop;

    public NoiseSampler(int cpu, int eventCapacity)
    {
        Cpu = cpu;
        Events = new GapEventRing(eventCapacity);
    }

    public int Cpu { get; }

    public LogLinearHistogram Histogram { get; } = new();

    public GapEventRing Events { get; }

    public long Samples { get; private set; }

    public ulong StartTick { get; private set; }

    public ulong EndTick { get; private set; }

    public ulong MaxGap { get; private set; }

    public ulong NoiseTicks { get; private set; }

    /// <summary>Gaps over the threshold so far (read by the interval sampler while the loop runs).</summary>
    public long PublishedGaps => Volatile.Read(ref _publishedGaps);

    /// <summary>Ticks lost to gaps over the threshold so far (read by the interval sampler while the loop runs).</summary>
    public long PublishedNoiseTicks => Volatile.Read(ref _publishedNoiseTicks);

    public void RequestStop() => _stop = true;

    /// <summary>Clears the results (after the warm-up).</summary>
    public void Reset()
    {
        Histogram.Clear();
        Events.Written = 0;
        Samples = 0;
        MaxGap = 0;
        NoiseTicks = 0;
        _publishedGaps = 0;
        _publishedNoiseTicks = 0;
    }

    /// <summary>Spins until the clock passes <paramref name="endTick"/> or a stop is requested.</summary>
    public void Run(TimestampClock clock, ulong endTick, ulong thresholdTicks)
    {
        if (clock.RdtscFunction != null)
        {
            Spin(new RdtscTicks(clock.RdtscFunction), endTick, thresholdTicks);
        }
        else
        {
            Spin(default(StopwatchTicks), endTick, thresholdTicks);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private void Spin<TClock>(TClock clock, ulong endTick, ulong threshold) where TClock : struct, ITicks
    {
        var counts = Histogram.CountArray;
        var starts = Events.Starts;
        var gaps = Events.Gaps;
        var mask = (long)Events.Capacity - 1;
        long samples = 0;
        long events = 0;
        ulong noise = 0;
        ulong max = 0;
        var previous = clock.Read();
        var start = previous;
        while (true)
        {
            var now = clock.Read();
            var gap = now - previous;
            counts[LogLinearHistogram.IndexOf(gap)]++;
            samples++;
            if (gap > max)
            {
                max = gap;
            }
            if (gap > threshold)
            {
                var slot = (int)(events & mask);
                starts[slot] = previous;
                gaps[slot] = gap;
                events++;
                noise += gap;
                Volatile.Write(ref _publishedGaps, events);
                Volatile.Write(ref _publishedNoiseTicks, (long)noise);
            }
            previous = now;
            if (now >= endTick || ((samples & 0xFFFF) == 0 && _stop))
            {
                break;
            }
        }
        StartTick = start;
        EndTick = previous;
        Samples = samples;
        MaxGap = max;
        NoiseTicks = noise;
        Events.Written = events;
    }

    internal interface ITicks
    {
        ulong Read();
    }

    private readonly struct RdtscTicks(delegate* unmanaged[SuppressGCTransition]<ulong> read) : ITicks
    {
        private readonly delegate* unmanaged[SuppressGCTransition]<ulong> _read = read;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public ulong Read() => _read();
    }

    private readonly struct StopwatchTicks : ITicks
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public ulong Read() => (ulong)Stopwatch.GetTimestamp();
    }
}
