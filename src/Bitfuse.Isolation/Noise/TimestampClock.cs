using System.Diagnostics;
using System.Runtime.CompilerServices;
using Bitfuse.Isolation.Native;

namespace Bitfuse.Isolation.Noise;

/// <summary>
/// The timestamp the noise loop reads: <c>rdtsc</c> when the machine code can run and the TSC is invariant,
/// else <see cref="Stopwatch"/>. The TSC rate is calibrated against <c>CLOCK_MONOTONIC_RAW</c> (not NTP-slewed).
/// </summary>
public sealed unsafe class TimestampClock
{
    private readonly delegate* unmanaged[SuppressGCTransition]<ulong> _rdtsc;

    private TimestampClock(ClockKind kind, delegate* unmanaged[SuppressGCTransition]<ulong> rdtsc, double ticksPerSecond, string reason)
    {
        Kind = kind;
        _rdtsc = rdtsc;
        TicksPerSecond = ticksPerSecond;
        Reason = reason;
    }

    /// <summary>Which clock.</summary>
    public ClockKind Kind { get; }

    /// <summary>Ticks per second (the calibrated TSC rate, or <see cref="Stopwatch.Frequency"/>).</summary>
    public double TicksPerSecond { get; }

    /// <summary>Nanoseconds per tick.</summary>
    public double NsPerTick => 1e9 / TicksPerSecond;

    /// <summary>Why this clock was chosen.</summary>
    public string Reason { get; }

    /// <summary>The rdtsc function pointer (null for the Stopwatch clock).</summary>
    internal delegate* unmanaged[SuppressGCTransition]<ulong> RdtscFunction => _rdtsc;

    /// <summary>Reads the clock.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong Read() => _rdtsc != null ? _rdtsc() : (ulong)Stopwatch.GetTimestamp();

    /// <summary>Converts ticks to nanoseconds.</summary>
    public double ToNs(double ticks) => ticks * NsPerTick;

    /// <summary>Converts nanoseconds to ticks.</summary>
    public ulong FromNs(double ns) => (ulong)Math.Max(0, Math.Round(ns * TicksPerSecond / 1e9));

    /// <summary>The Stopwatch clock, with <paramref name="reason"/>.</summary>
    public static TimestampClock ForStopwatch(string reason) => new(ClockKind.Stopwatch, null, Stopwatch.Frequency, reason);

    /// <summary>
    /// The best clock here: rdtsc when <paramref name="kind"/> allows it, the code page can be made, and
    /// <c>/proc/cpuinfo</c> says the TSC is invariant; the TSC rate is calibrated for <paramref name="calibration"/>.
    /// </summary>
    public static TimestampClock Create(ClockKind kind = ClockKind.Rdtsc, TimeSpan? calibration = null)
    {
        if (kind == ClockKind.Stopwatch)
        {
            return ForStopwatch("asked for");
        }
        var rdtsc = RdtscCode.TryGet(out var error);
        if (rdtsc == null)
        {
            return ForStopwatch(error ?? "rdtsc unavailable");
        }
        var flags = ProcessorDescription.Read(SystemRoot.Live).Flags;
        if (!flags.Contains("constant_tsc") || !flags.Contains("nonstop_tsc"))
        {
            return ForStopwatch("the TSC is not invariant (constant_tsc and nonstop_tsc missing)");
        }
        var uncalibrated = new TimestampClock(ClockKind.Rdtsc, rdtsc, 1, "");
        var rate = TscCalibration.Calibrate(uncalibrated.Read, calibration ?? TimeSpan.FromMilliseconds(60));
        return new TimestampClock(ClockKind.Rdtsc, rdtsc, rate, "rdtsc machine code; TSC invariant; rate calibrated against CLOCK_MONOTONIC_RAW");
    }
}
