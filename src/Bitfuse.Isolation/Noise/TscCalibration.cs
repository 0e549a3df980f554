using Bitfuse.Isolation.Native;

namespace Bitfuse.Isolation.Noise;

/// <summary>
/// Measures a counter's rate against <c>CLOCK_MONOTONIC_RAW</c>: read the counter, the clock, the counter
/// again (the clock read is bracketed; narrow brackets are kept), wait, repeat, and divide. Three rounds;
/// the median rate is kept.
/// </summary>
public static class TscCalibration
{
    /// <summary>The rate of <paramref name="read"/> in ticks per second, measured over about <paramref name="total"/>.</summary>
    public static double Calibrate(Func<ulong> read, TimeSpan total)
    {
        ArgumentNullException.ThrowIfNull(read);
        const int rounds = 3;
        var rates = new double[rounds];
        var wait = TimeSpan.FromTicks(Math.Max(total.Ticks / rounds, TimeSpan.TicksPerMillisecond));
        for (var r = 0; r < rounds; r++)
        {
            var (t0, n0) = Bracket(read);
            Thread.Sleep(wait);
            var (t1, n1) = Bracket(read);
            rates[r] = (t1 - t0) * 1e9 / (n1 - n0);
        }
        Array.Sort(rates);
        return rates[rounds / 2];
    }

    private static (double Ticks, long Ns) Bracket(Func<ulong> read)
    {
        var best = ulong.MaxValue;
        (double, long) result = (0, 0);
        for (var i = 0; i < 16; i++)
        {
            var before = read();
            var ns = Libc.MonotonicRawNs();
            var after = read();
            if (after - before < best)
            {
                best = after - before;
                result = ((before / 2.0) + (after / 2.0), ns);
            }
        }
        return result;
    }
}
