using System.Text.RegularExpressions;
using Bitfuse.Isolation.Tracing;

namespace Bitfuse.Isolation.Tests;

/// <summary>The tracefs text parser against recorded traces: a real one of this kind of machine (x86-tsc clock) and a small written one (mono clock).</summary>
public sealed class TraceTextTests
{
    internal static string Trace(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "traces", name));

    [Fact]
    public void A_recorded_trace_parses_every_event_of_the_kinds_it_knows()
    {
        var text = Trace("cpu1-x86-tsc.txt");

        var capture = TraceText.Parse(text);

        Assert.True(capture.CounterClock);
        Assert.Equal(0, capture.Lost);
        // The model: count the event names the way grep would.
        var names = Regex.Matches(text, @"\] \S+ +\d+: (\w+):").Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(names.Count(n => n == "sched_switch"), capture.Events.Count(e => e.Kind == TraceEventKind.SchedSwitch));
        Assert.Equal(names.Count(n => n == "softirq_entry"), capture.Events.Count(e => e.Kind == TraceEventKind.SoftirqEntry));
        Assert.Equal(names.Count(n => n == "irq_handler_entry"), capture.Events.Count(e => e.Kind == TraceEventKind.IrqEntry));
        Assert.Equal(names.Count(n => n.EndsWith("_entry", StringComparison.Ordinal) && n != "softirq_entry" && n != "irq_handler_entry" && n != "hrtimer_expire_entry"),
            capture.Events.Count(e => e.Kind == TraceEventKind.VectorEntry));
        Assert.Equal(names.Count, capture.Events.Count);
        Assert.All(capture.Events, e => Assert.Equal(1, e.Cpu));
        for (var i = 1; i < capture.Events.Count; i++)
        {
            Assert.True(capture.Events[i].Timestamp >= capture.Events[i - 1].Timestamp, $"event {i} goes back in time");
        }
        Assert.Contains(capture.Events, e => e.Kind == TraceEventKind.IrqEntry && e is { Number: 36, Name: "virtio1-req.0", Comm: ".NET Tiered Com" });
        Assert.Contains(capture.Events, e => e.Kind == TraceEventKind.SoftirqEntry && e is { Number: 9, Name: "RCU" });
        Assert.Contains(capture.Events, e => e.Kind == TraceEventKind.HrtimerExpire && e.Name == "tick_nohz_handler");
    }

    [Fact]
    public void Fields_comms_with_spaces_microsecond_stamps_and_lost_events_are_read()
    {
        var capture = TraceText.Parse(Trace("preempted-mono.txt"));

        Assert.False(capture.CounterClock);
        Assert.Equal(7, capture.Lost);
        Assert.Equal(19, capture.Events.Count); // sched_wakeup is not one of ours
        var first = capture.Events[0];
        Assert.Equal((TraceEventKind.VectorEntry, "local_timer", 100_000_100_000UL, 500, "bitfuse noise 1"), (first.Kind, first.Name, first.Timestamp, first.Pid, first.Comm));
        var preempt = capture.Events.First(e => e.Kind == TraceEventKind.SchedSwitch);
        Assert.Equal((500, "kworker/1:1", 44, "R+", true), (preempt.Pid, preempt.Name, preempt.NextPid, preempt.PrevState, preempt.Preempted));
        var block = capture.Events.Where(e => e.Kind == TraceEventKind.SchedSwitch).ElementAt(2);
        Assert.Equal((500, 0, false), (block.Pid, block.NextPid, block.Preempted));
        Assert.Equal("vmstat_update", capture.Events.Single(e => e.Kind == TraceEventKind.WorkqueueStart).Name);
        Assert.Equal(".NET TP Worker", capture.Events.Single(e => e.Kind == TraceEventKind.SchedSwitch && e.NextPid == 600).Name);
    }

    [Fact]
    public void A_known_event_with_broken_fields_names_its_line()
    {
        var text = "# header\n bash-1 [001] d.h.. 123: irq_handler_entry: irq=x name=oops\n";

        var e = Assert.Throws<FormatException>(() => TraceText.Parse(text));

        Assert.Contains("trace line 2", e.Message, StringComparison.Ordinal);
    }
}
