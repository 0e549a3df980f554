using System.Runtime.CompilerServices;
using Bitfuse.Isolation.Native;

namespace Bitfuse.Isolation.Pinning;

/// <summary>
/// A dedicated thread that pins itself to one CPU from inside (its own thread id), then optionally asks
/// for SCHED_FIFO, locks memory and pre-faults its stack and buffers, and only then runs its work.
/// What was done and what was refused is in <see cref="Steps"/> before the work starts.
/// </summary>
public sealed class PinnedThread
{
    private readonly Thread _thread;
    private readonly TaskCompletionSource _prepared = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<PreparationStep> _steps = [];
    private Exception? _failure;

    private PinnedThread(PinnedThreadOptions options, Action<PinnedThread> work)
    {
        Options = options;
        _thread = new Thread(() => Run(work), options.StackBytes) { IsBackground = true, Name = options.Name };
    }

    /// <summary>The options the thread was started with.</summary>
    public PinnedThreadOptions Options { get; }

    /// <summary>The kernel thread id (valid once <see cref="WaitPrepared"/> returned).</summary>
    public int ThreadId { get; private set; }

    /// <summary>True when the thread is pinned to its CPU.</summary>
    public bool Pinned { get; private set; }

    /// <summary>What preparation did and refused (complete once <see cref="WaitPrepared"/> returned).</summary>
    public IReadOnlyList<PreparationStep> Steps => _steps;

    /// <summary>Starts a pinned thread running <paramref name="work"/> after preparation.</summary>
    public static PinnedThread Start(PinnedThreadOptions options, Action<PinnedThread> work)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(work);
        var thread = new PinnedThread(options, work);
        thread._thread.Start();
        return thread;
    }

    /// <summary>Blocks until preparation is over and returns the steps.</summary>
    public IReadOnlyList<PreparationStep> WaitPrepared()
    {
        _prepared.Task.Wait();
        return _steps;
    }

    /// <summary>Waits for the work to end and rethrows its exception, if any.</summary>
    public void Join()
    {
        _thread.Join();
        if (_failure is not null)
        {
            throw new InvalidOperationException($"pinned thread on CPU {Options.Cpu} failed: {_failure.Message}", _failure);
        }
    }

    private void Run(Action<PinnedThread> work)
    {
        try
        {
            ThreadId = ThreadAffinity.CurrentThreadId;
            Prepare();
        }
        catch (Exception e)
        {
            _failure = e;
            _prepared.TrySetResult();
            return;
        }
        _prepared.TrySetResult();
        try
        {
            work(this);
        }
        catch (Exception e)
        {
            _failure = e;
        }
    }

    private void Prepare()
    {
        var cpu = Options.Cpu;
        var error = ThreadAffinity.TrySet(0, CpuSet.Of(cpu));
        Pinned = error is null;
        _steps.Add(new PreparationStep($"pin thread {ThreadId} to CPU {cpu}", Pinned, error ?? $"sched_setaffinity({ThreadId}, {cpu})"));
        if (Options.FifoPriority is { } priority)
        {
            _steps.Add(SchedFifo(priority));
        }
        if (Options.LockMemory)
        {
            _steps.Add(Libc.MlockAll(Libc.McsCurrent | Libc.McsFuture) == 0
                ? new PreparationStep("mlockall", true, "current and future pages locked")
                : new PreparationStep("mlockall", false, $"{Libc.LastError()}; the memlock limit is {MemlockLimit()}"));
        }
        if (Options.PrefaultStackBytes > 0)
        {
            var bytes = Math.Min(Options.PrefaultStackBytes, Math.Max(0, Options.StackBytes - (128 << 10)));
            TouchStack(bytes);
            _steps.Add(new PreparationStep("pre-fault stack", true, $"{bytes >> 10} KiB touched"));
        }
        long touched = 0;
        foreach (var buffer in Options.PrefaultBuffers)
        {
            var span = buffer.Span;
            for (var i = 0; i < span.Length; i += 4096)
            {
                span[i] = span[i];
            }
            touched += span.Length;
        }
        if (Options.PrefaultBuffers.Count > 0)
        {
            _steps.Add(new PreparationStep("pre-fault buffers", true, $"{Options.PrefaultBuffers.Count} buffers, {touched >> 10} KiB touched"));
        }
    }

    private static unsafe PreparationStep SchedFifo(int priority)
    {
        var action = $"SCHED_FIFO priority {priority}";
        if (priority is < 1 or > 99)
        {
            return new PreparationStep(action, false, "priority must be 1-99");
        }
        Libc.RLimit limit;
        var rootUser = Libc.GetEuid() == 0;
        if (!rootUser && Libc.GetRLimit(Libc.RlimitRtprio, &limit) == 0 && limit.Current < (ulong)priority)
        {
            return new PreparationStep(action, false, $"RLIMIT_RTPRIO is {limit.Current}: raise it (ulimit -r {priority}) or run as root");
        }
        var p = priority;
        return Libc.SchedSetScheduler(0, Libc.SchedFifo, &p) == 0
            ? new PreparationStep(action, true, "sched_setscheduler(SCHED_FIFO)")
            : new PreparationStep(action, false, Libc.LastError());
    }

    private static unsafe string MemlockLimit()
    {
        Libc.RLimit limit;
        return Libc.GetRLimit(Libc.RlimitMemlock, &limit) != 0 ? "unknown"
            : limit.Current == ulong.MaxValue ? "unlimited" : $"{limit.Current >> 10} KiB";
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void TouchStack(int bytes)
    {
        Span<byte> stack = stackalloc byte[bytes];
        for (var i = 0; i < stack.Length; i += 4096)
        {
            stack[i] = 1;
        }
        GC.KeepAlive(stack[0]);
    }
}
