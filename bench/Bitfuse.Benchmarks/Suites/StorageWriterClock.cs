using System.Runtime.InteropServices;

namespace Bitfuse.Benchmarks.Suites;

/// <summary>
/// The growth writer's clock: sub-millisecond sleeps (<c>nanosleep</c>; <see cref="Thread.Sleep(int)"/>
/// cannot sleep less than a millisecond, and the writer's period is 2 ms), and the CPU time the calling
/// thread has used (<c>CLOCK_THREAD_CPUTIME_ID</c>), to show how much of the two cores the writer takes, with
/// the part of it spent in the kernel (<c>getrusage(RUSAGE_THREAD)</c>: system calls, page faults, and the
/// interrupts and soft interrupts that arrived while the thread ran, which Linux charges to it).
/// </summary>
internal static unsafe partial class StorageWriterClock
{
    private const int ClockThreadCpuTime = 3;

    private const int RUsageThread = 1;

    /// <summary>Sleeps about <paramref name="nanoseconds"/> (the kernel's timer slack, ~50 µs, may add to it).</summary>
    public static void Sleep(long nanoseconds)
    {
        var request = stackalloc long[2];
        request[0] = nanoseconds / 1_000_000_000;
        request[1] = nanoseconds % 1_000_000_000;
        // An interrupted sleep (EINTR) returns early; the caller's loop measures time and sleeps again.
        _ = NanoSleep(request, null);
    }

    /// <summary>Nanoseconds of CPU the calling thread has used, or 0 when the clock is unavailable.</summary>
    public static long ThreadCpuNs()
    {
        var time = stackalloc long[2];
        return ClockGetTime(ClockThreadCpuTime, time) == 0 ? time[0] * 1_000_000_000 + time[1] : 0;
    }

    /// <summary>
    /// Nanoseconds of the calling thread's CPU time spent in the kernel, or 0 when unavailable. Sampled at the
    /// scheduler tick, so it is an estimate: compare it over windows of many milliseconds.
    /// </summary>
    public static long ThreadKernelNs()
    {
        // struct rusage starts with ru_utime and ru_stime (struct timeval: seconds, microseconds), then 14 longs.
        var usage = stackalloc long[18];
        return GetRUsage(RUsageThread, usage) == 0 ? usage[2] * 1_000_000_000 + usage[3] * 1_000 : 0;
    }

    /// <summary>The CPU the calling thread runs on now, or -1 when unknown.</summary>
    public static int CurrentCpu() => SchedGetCpu();

    [LibraryImport("libc", EntryPoint = "sched_getcpu")]
    private static partial int SchedGetCpu();

    [LibraryImport("libc", EntryPoint = "getrusage")]
    private static partial int GetRUsage(int who, long* usage);

    [LibraryImport("libc", EntryPoint = "nanosleep")]
    private static partial int NanoSleep(long* request, long* remaining);

    [LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static partial int ClockGetTime(int clock, long* time);
}
