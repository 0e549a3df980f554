using System.Runtime.InteropServices;
using Bitfuse.Isolation.Native;

namespace Bitfuse.Isolation.Pinning;

/// <summary>
/// Thread affinity through <c>sched_setaffinity</c> with a thread id. In .NET,
/// <c>Process.ProcessorAffinity</c> sets only the main thread's mask and new threads inherit the main
/// thread's mask, not their creator's: a thread pins itself from inside, with its own id.
/// </summary>
public static unsafe class ThreadAffinity
{
    private const int MaskWords = (CpuSet.MaxCpu + 1) / 64;

    /// <summary>The kernel id of the calling thread (<c>gettid</c>).</summary>
    public static int CurrentThreadId => Libc.GetTid();

    /// <summary>The CPUs thread <paramref name="threadId"/> (0: the caller) may run on.</summary>
    /// <exception cref="ArgumentException">No such thread.</exception>
    public static CpuSet Get(int threadId = 0)
    {
        var words = stackalloc ulong[MaskWords];
        var bytes = Libc.SchedGetAffinity(threadId, MaskWords * sizeof(ulong), words);
        if (bytes < 0)
        {
            throw new ArgumentException($"cannot read the affinity of thread {threadId}: {Libc.LastError()}", nameof(threadId));
        }
        return CpuSet.FromWords(new ReadOnlySpan<ulong>(words, MaskWords));
    }

    /// <summary>Sets the CPUs thread <paramref name="threadId"/> (0: the caller) may run on; returns null or the reason it was refused.</summary>
    public static string? TrySet(int threadId, CpuSet cpus)
    {
        if (cpus.IsEmpty)
        {
            return "the CPU set is empty";
        }
        if (cpus.Max > CpuSet.MaxCpu)
        {
            return $"CPU {cpus.Max} is above {CpuSet.MaxCpu}";
        }
        var words = stackalloc ulong[MaskWords];
        new Span<ulong>(words, MaskWords).Clear();
        cpus.Words.CopyTo(new Span<ulong>(words, MaskWords));
        if (Libc.SchedSetAffinity(threadId, MaskWords * sizeof(ulong), words) == 0)
        {
            return null;
        }
        var errno = Marshal.GetLastPInvokeError();
        var text = Libc.LastError();
        return errno switch
        {
            22 => $"{text}: CPUs {cpus} are offline or outside this process's cpuset",
            1 => $"{text}: not allowed to change thread {threadId}",
            3 => $"{text}: no thread {threadId}",
            _ => text,
        };
    }

    /// <summary>Pins the calling thread to <paramref name="cpus"/>.</summary>
    /// <exception cref="ArgumentException">The CPUs are offline, outside this process's cpuset, or the set is empty.</exception>
    public static void PinCurrentThread(CpuSet cpus)
    {
        var error = TrySet(0, cpus);
        if (error is not null)
        {
            throw new ArgumentException($"cannot pin thread {CurrentThreadId} to CPUs {cpus}: {error}", nameof(cpus));
        }
    }

    /// <summary>Pins the calling thread to one CPU.</summary>
    public static void PinCurrentThread(int cpu) => PinCurrentThread(CpuSet.Of(cpu));
}
