using System.Globalization;
using System.Text.RegularExpressions;

namespace Bitfuse.Isolation.Tracing;

/// <summary>
/// Parses the text tracefs prints (<c>trace</c>, <c>trace_pipe</c>, <c>per_cpu/cpuN/trace</c>) into
/// <see cref="TraceEvent"/>s. A line is <c>comm-pid [cpu] flags timestamp: event: fields</c>; the comm may
/// hold spaces and dashes, the flags column and a <c>(tgid)</c> column are optional. A counter clock prints
/// the raw counter, a time clock <c>seconds.microseconds</c> (read here as nanoseconds). Comment lines and
/// events other than <see cref="TraceEventKind"/>'s are skipped; <c>[LOST n EVENTS]</c> lines are counted.
/// A line of a known event whose fields do not parse is a <see cref="FormatException"/> naming the line.
/// </summary>
public static partial class TraceText
{
    /// <summary>Parses <paramref name="text"/>.</summary>
    /// <exception cref="FormatException">A known event's line is malformed (the message names the line number).</exception>
    public static TraceCapture Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var events = new List<TraceEvent>();
        long lost = 0;
        var counter = true;
        var lineNumber = 0;
        foreach (var raw in text.AsSpan().EnumerateLines())
        {
            lineNumber++;
            var line = raw.ToString();
            if (line.Length == 0 || line.TrimStart().StartsWith('#'))
            {
                continue;
            }
            if (Lost().Match(line) is { Success: true } lostMatch)
            {
                lost += long.Parse(lostMatch.Groups["n"].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture);
                continue;
            }
            var match = Line().Match(line);
            if (!match.Success)
            {
                continue;
            }
            var kind = KindOf(match.Groups["event"].Value, out var vector);
            if (kind is null)
            {
                continue;
            }
            var timestamp = match.Groups["ts"].Value;
            ulong ts;
            var dot = timestamp.IndexOf('.', StringComparison.Ordinal);
            if (dot < 0)
            {
                ts = ulong.Parse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture);
            }
            else
            {
                counter = false;
                var seconds = ulong.Parse(timestamp.AsSpan(0, dot), NumberStyles.None, CultureInfo.InvariantCulture);
                var fraction = timestamp.AsSpan(dot + 1);
                var micros = ulong.Parse(fraction, NumberStyles.None, CultureInfo.InvariantCulture);
                for (var d = fraction.Length; d < 9; d++)
                {
                    micros *= 10;
                }
                ts = (seconds * 1_000_000_000UL) + micros;
            }
            var cpu = int.Parse(match.Groups["cpu"].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture);
            var pid = int.Parse(match.Groups["pid"].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture);
            var fields = match.Groups["fields"].Value;
            var comm = match.Groups["comm"].Value.Trim();
            events.Add(Event(kind.Value, vector, ts, cpu, pid, fields) is { } parsed ? parsed with { Comm = comm } : throw new FormatException(
                $"trace line {lineNumber}: the fields of {match.Groups["event"].Value} do not parse: '{fields}'"));
        }
        return new TraceCapture(events, lost, counter);
    }

    private static TraceEventKind? KindOf(string name, out string vector)
    {
        vector = "";
        switch (name)
        {
            case "irq_handler_entry":
                return TraceEventKind.IrqEntry;
            case "irq_handler_exit":
                return TraceEventKind.IrqExit;
            case "softirq_entry":
                return TraceEventKind.SoftirqEntry;
            case "softirq_exit":
                return TraceEventKind.SoftirqExit;
            case "sched_switch":
                return TraceEventKind.SchedSwitch;
            case "workqueue_execute_start":
                return TraceEventKind.WorkqueueStart;
            case "hrtimer_expire_entry":
                return TraceEventKind.HrtimerExpire;
            case "page_fault_user":
                return TraceEventKind.PageFault;
        }
        if (name.EndsWith("_entry", StringComparison.Ordinal) && VectorEvents.Contains(name[..^6]))
        {
            vector = name[..^6];
            return TraceEventKind.VectorEntry;
        }
        if (name.EndsWith("_exit", StringComparison.Ordinal) && VectorEvents.Contains(name[..^5]))
        {
            vector = name[..^5];
            return TraceEventKind.VectorExit;
        }
        return null;
    }

    /// <summary>The <c>irq_vectors</c> entry/exit pairs (x86): each is an interrupt vector taken on the CPU.</summary>
    public static IReadOnlyList<string> VectorEvents { get; } =
    [
        "local_timer", "reschedule", "call_function", "call_function_single", "irq_work", "thermal_apic", "threshold_apic",
        "deferred_error_apic", "error_apic", "spurious_apic", "x86_platform_ipi", "reboot",
    ];

    private static TraceEvent? Event(TraceEventKind kind, string vector, ulong ts, int cpu, int pid, string fields)
    {
        switch (kind)
        {
            case TraceEventKind.IrqEntry:
                {
                    var m = IrqEntry().Match(fields);
                    return m.Success ? new TraceEvent(ts, cpu, pid, kind, m.Groups["name"].Value, Int(m, "irq")) : null;
                }
            case TraceEventKind.IrqExit:
                {
                    var m = IrqExit().Match(fields);
                    return m.Success ? new TraceEvent(ts, cpu, pid, kind, "", Int(m, "irq")) : null;
                }
            case TraceEventKind.SoftirqEntry:
            case TraceEventKind.SoftirqExit:
                {
                    var m = Softirq().Match(fields);
                    return m.Success ? new TraceEvent(ts, cpu, pid, kind, m.Groups["action"].Value, Int(m, "vec")) : null;
                }
            case TraceEventKind.VectorEntry:
            case TraceEventKind.VectorExit:
                return new TraceEvent(ts, cpu, pid, kind, vector);
            case TraceEventKind.SchedSwitch:
                {
                    var m = Switch().Match(fields);
                    return m.Success
                        ? new TraceEvent(ts, cpu, Int(m, "prevpid"), kind, m.Groups["next"].Value, NextPid: Int(m, "nextpid"), PrevState: m.Groups["state"].Value)
                        : null;
                }
            case TraceEventKind.WorkqueueStart:
            case TraceEventKind.HrtimerExpire:
                {
                    var m = Function().Match(fields);
                    return m.Success ? new TraceEvent(ts, cpu, pid, kind, m.Groups["function"].Value) : null;
                }
            default:
                return new TraceEvent(ts, cpu, pid, kind, "");
        }
    }

    private static int Int(Match m, string group) => int.Parse(m.Groups[group].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture);

    [GeneratedRegex(@"^\s*(?<comm>.*?)-(?<pid>\d+)\s+(?:\(\s*[-\d]+\)\s+)?\[(?<cpu>\d+)\]\s+(?:\S+\s+)?(?<ts>\d+(?:\.\d+)?):\s+(?<event>\w+):\s?(?<fields>.*)$", RegexOptions.CultureInvariant)]
    private static partial Regex Line();

    [GeneratedRegex(@"\[LOST (?<n>\d+) EVENTS\]", RegexOptions.CultureInvariant)]
    private static partial Regex Lost();

    [GeneratedRegex(@"^irq=(?<irq>\d+) name=(?<name>.*)$", RegexOptions.CultureInvariant)]
    private static partial Regex IrqEntry();

    [GeneratedRegex(@"^irq=(?<irq>\d+) ret=", RegexOptions.CultureInvariant)]
    private static partial Regex IrqExit();

    [GeneratedRegex(@"^vec=(?<vec>\d+) \[action=(?<action>\w+)\]", RegexOptions.CultureInvariant)]
    private static partial Regex Softirq();

    [GeneratedRegex(@"^prev_comm=.* prev_pid=(?<prevpid>\d+) prev_prio=-?\d+ prev_state=(?<state>\S+) ==> next_comm=(?<next>.*) next_pid=(?<nextpid>\d+) next_prio=-?\d+", RegexOptions.CultureInvariant)]
    private static partial Regex Switch();

    [GeneratedRegex(@"function[= ](?<function>[^\s/]+)", RegexOptions.CultureInvariant)]
    private static partial Regex Function();
}
