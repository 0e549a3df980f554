using Bitfuse.Isolation.Noise;
using Bitfuse.Isolation.Tracing;

namespace Bitfuse.Isolation.Tests;

/// <summary>Matching gaps to the events inside them, on recorded traces with known content.</summary>
public sealed class GapAttributorTests
{
    private const int Measuring = 500;
    private static readonly IReadOnlyList<TraceEvent> Written = TraceText.Parse(TraceTextTests.Trace("preempted-mono.txt")).Events;

    /// <summary>A gap from <paramref name="fromUs"/> to <paramref name="toUs"/> µs after second 100 of the written trace (whose stamps are ns).</summary>
    private static (ulong Start, ulong Length) Gap(double fromUs, double toUs) => ((ulong)(100e9 + (fromUs * 1000)), (ulong)((toUs - fromUs) * 1000));

    [Fact]
    public void Each_gap_of_the_written_trace_gets_the_cause_inside_it()
    {
        (ulong, ulong)[] gaps =
        [
            Gap(99, 110),     // local timer (3 µs) then softirq TIMER (2 µs)
            Gap(999, 1010),   // IRQ 36
            Gap(1999, 2031),  // kworker ran 30 µs (2 µs of it a tick)
            Gap(2999, 3201),  // reschedule IPI, then the measuring thread waited while the CPU idled
            Gap(3999, 4051),  // a thread-pool worker
            Gap(4500, 4510),  // nothing recorded
            Gap(5999, 6001),  // a page fault of the measuring thread
        ];

        var causes = GapAttributor.Attribute(gaps, Written, [], Measuring, new HashSet<int> { Measuring });

        Assert.Equal((NoiseCauseKind.LocalTimer, "local timer", "tick_nohz_handler"), (causes[0].Kind, causes[0].Name, causes[0].Detail));
        Assert.Equal((NoiseCauseKind.Irq, "IRQ 36 virtio1-req.0"), (causes[1].Kind, causes[1].Name));
        Assert.Equal((NoiseCauseKind.Task, "kworker/1:1 (44)", "vmstat_update"), (causes[2].Kind, causes[2].Name, causes[2].Detail));
        Assert.Equal(NoiseCauseKind.Blocked, causes[3].Kind);
        Assert.Equal((NoiseCauseKind.Task, ".NET TP Worker (600)"), (causes[4].Kind, causes[4].Name)); // not a thread of ours
        Assert.Equal(GapCause.Unexplained, causes[5]);
        Assert.Equal(NoiseCauseKind.PageFault, causes[6].Kind);
    }

    [Fact]
    public void The_runtime_names_waits_inside_a_suspension_and_threads_of_this_process()
    {
        (ulong, ulong)[] gaps = [Gap(2999, 3201), Gap(3999, 4051), Gap(999, 1010)];
        RuntimeWindow[] windows =
        [
            new((ulong)(100e9 + 2_990_000), (ulong)(100e9 + 3_300_000), RuntimeWindowKind.Suspension, 7, "SuspendForGC", IsGc: true),
            new((ulong)(100e9 + 900_000), (ulong)(100e9 + 1_100_000), RuntimeWindowKind.Suspension, 7, "SuspendForGC", IsGc: true),
        ];

        var causes = GapAttributor.Attribute(gaps, Written, windows, Measuring, new HashSet<int> { Measuring, 600 });

        Assert.Equal((NoiseCauseKind.Gc, "GC"), (causes[0].Kind, causes[0].Name));
        Assert.Equal(NoiseCauseKind.ThreadPool, causes[1].Kind); // named .NET TP Worker and one of ours
        Assert.Equal(NoiseCauseKind.Irq, causes[2].Kind); // an interrupt during a GC is still the interrupt
    }

    [Fact]
    public void Without_a_kernel_trace_only_the_runtime_names_gaps()
    {
        (ulong, ulong)[] gaps = [(1000, 50), (5000, 50)];
        RuntimeWindow[] windows = [new(990, 1100, RuntimeWindowKind.Suspension, 7, "SuspendForDebugger")];

        var causes = GapAttributor.Attribute(gaps, null, windows, Measuring, new HashSet<int>());

        Assert.Equal((NoiseCauseKind.RuntimeSuspension, "runtime suspension (SuspendForDebugger)"), (causes[0].Kind, causes[0].Name));
        Assert.Equal(GapCause.Unexplained, causes[1]);
    }

    [Fact]
    public void Ticks_of_a_recorded_trace_are_named_the_local_timer()
    {
        var events = TraceText.Parse(TraceTextTests.Trace("cpu1-x86-tsc.txt")).Events;
        var gaps = new List<(ulong, ulong)>();
        ulong? entry = null;
        foreach (var e in events)
        {
            if (e is { Kind: TraceEventKind.VectorEntry, Name: "local_timer" })
            {
                entry = e.Timestamp;
            }
            else if (e is { Kind: TraceEventKind.VectorExit, Name: "local_timer" } && entry is { } start)
            {
                gaps.Add((start - 200, e.Timestamp - start + 400));
                entry = null;
            }
        }

        var causes = GapAttributor.Attribute(gaps, events, [], measuringThread: 999_999, new HashSet<int>());

        Assert.True(gaps.Count >= 50, $"the fixture holds {gaps.Count} ticks");
        Assert.All(causes, c => Assert.Equal(NoiseCauseKind.LocalTimer, c.Kind));
    }

    [Fact]
    public void Causes_are_summed_with_exact_percentiles_and_advice()
    {
        double[] gaps = [1000, 2000, 3000, 4000, 30_000];
        GapCause timer = new(NoiseCauseKind.LocalTimer, "local timer");
        GapCause irq = new(NoiseCauseKind.Irq, "IRQ 36 virtio1-req.0");
        GapCause[] causes = [timer, timer, timer, timer, irq];

        var summary = NoiseCause.Summarize(gaps, causes);

        Assert.Equal(["IRQ 36 virtio1-req.0", "local timer"], summary.Select(s => s.Name));
        var t = summary[1];
        Assert.Equal((4L, 10_000.0, 25.0, 2000.0, 4000.0, 4000.0), (t.Gaps, t.TotalNs, t.SharePercent, t.P50Ns, t.P99Ns, t.MaxNs));
        Assert.Contains("boot.nohz_full", t.AuditChecks);
        Assert.Contains("/proc/irq/36/smp_affinity_list", summary[0].Advice, StringComparison.Ordinal);
        Assert.Contains("irq.affinity", summary[0].AuditChecks);
    }

    [Fact]
    public void Every_advice_links_to_checks_that_exist()
    {
        var ids = Audit.IsolationAudit.Checklist.Select(c => c.Id).ToHashSet();
        string[] names = ["IRQ 5 ttyS0", "softirq TIMER", "softirq RCU", "softirq NET_RX", "softirq SCHED", "softirq BLOCK", "softirq TASKLET", "local timer",
            "reschedule IPI", "function-call IPI", "irq work", "kworker/1:1 (44)", "rcu_preempt (16)", "ksoftirqd/1 (20)", "migration/1 (19)", "java (4000)"];
        foreach (var kind in Enum.GetValues<NoiseCauseKind>())
        {
            foreach (var name in names)
            {
                var (text, checks) = NoiseAdvice.For(kind, name);
                Assert.False(string.IsNullOrWhiteSpace(text));
                Assert.All(checks, id => Assert.Contains(id, ids));
            }
        }
    }
}
