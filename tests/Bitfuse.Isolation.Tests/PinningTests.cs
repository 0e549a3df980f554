using Bitfuse.Isolation;
using Bitfuse.Isolation.Pinning;

namespace Bitfuse.Isolation.Tests;

[Collection(MachineCollection.Name)]
public sealed class PinningTests
{
    [Fact]
    public void Pinned_thread_runs_only_on_its_cpu_and_reports_its_steps()
    {
        var cpu = MachineCollection.TestCpu;
        CpuSet? seen = null;
        var lastCpu = -1;
        var buffer = new byte[64 << 10];
        var thread = PinnedThread.Start(new PinnedThreadOptions(cpu) { Name = "pin test", PrefaultBuffers = [buffer] }, t =>
        {
            seen = ThreadAffinity.Get();
            for (var i = 0; i < 1000; i++)
            {
                Thread.SpinWait(10);
            }
            lastCpu = TaskInfo.Read(SystemRoot.Live, $"proc/self/task/{t.ThreadId}")!.LastCpu;
        });
        var steps = thread.WaitPrepared();
        thread.Join();

        Assert.True(thread.Pinned);
        Assert.Equal(CpuSet.Of(cpu), seen);
        Assert.Equal(cpu, lastCpu);
        Assert.NotEqual(Environment.CurrentManagedThreadId, thread.ThreadId);
        Assert.Contains(steps, s => s.Done && s.Action.StartsWith($"pin thread {thread.ThreadId} to CPU {cpu}", StringComparison.Ordinal));
        Assert.Contains(steps, s => s.Done && s.Action == "pre-fault stack");
        Assert.Contains(steps, s => s.Done && s.Action == "pre-fault buffers" && s.Detail.Contains("64 KiB", StringComparison.Ordinal));
    }

    [Fact]
    public void Pinning_affects_only_the_calling_thread()
    {
        var cpu = MachineCollection.TestCpu;
        var mainBefore = ThreadAffinity.Get();
        CpuSet? inside = null;
        var worker = new Thread(() =>
        {
            ThreadAffinity.PinCurrentThread(cpu);
            inside = ThreadAffinity.Get();
        });
        worker.Start();
        worker.Join();

        Assert.Equal(CpuSet.Of(cpu), inside);
        Assert.Equal(mainBefore, ThreadAffinity.Get());
    }

    [Fact]
    public void Offline_or_unknown_cpus_are_refused_with_a_reason()
    {
        var offline = CpuTopology.Read(SystemRoot.Live).Possible.Max + 1;
        var error = ThreadAffinity.TrySet(0, CpuSet.Of(offline));
        Assert.NotNull(error);
        Assert.Contains("EINVAL", error, StringComparison.Ordinal);
        Assert.Contains("empty", ThreadAffinity.TrySet(0, CpuSet.Empty), StringComparison.Ordinal);
        var e = Assert.Throws<ArgumentException>(() => ThreadAffinity.PinCurrentThread(offline));
        Assert.Contains($"CPUs {offline}", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Fifo_request_is_reported_as_done_or_refused_with_a_reason()
    {
        var thread = PinnedThread.Start(new PinnedThreadOptions(MachineCollection.TestCpu) { FifoPriority = 0 }, _ => { });
        var steps = thread.WaitPrepared();
        thread.Join();
        var fifo = Assert.Single(steps, s => s.Action.StartsWith("SCHED_FIFO", StringComparison.Ordinal));
        Assert.False(fifo.Done);
        Assert.Contains("1-99", fifo.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Runtime_threads_move_off_a_cpu_and_come_back()
    {
        var online = CpuTopology.Read(SystemRoot.Live).Online;
        if (online.Count < 2)
        {
            return; // one CPU: there is nowhere to move to (nothing to assert on this machine)
        }
        var cpu = MachineCollection.TestCpu;
        var (moved, steps) = RuntimeThreads.MoveOff(CpuSet.Of(cpu));
        try
        {
            Assert.NotEmpty(moved);
            Assert.Contains(moved, m => m.ThreadId == Environment.ProcessId);
            foreach (var move in moved)
            {
                Assert.False(move.After.Contains(cpu));
                Assert.False(ThreadAffinity.Get(move.ThreadId).Contains(cpu));
            }
            Assert.All(steps.Where(s => s.Done), s => Assert.Contains("->", s.Detail, StringComparison.Ordinal));
        }
        finally
        {
            RuntimeThreads.Restore(moved);
        }
        foreach (var move in moved)
        {
            try
            {
                Assert.Equal(move.Before, ThreadAffinity.Get(move.ThreadId));
            }
            catch (ArgumentException)
            {
                // the thread ended meanwhile
            }
        }
    }
}
