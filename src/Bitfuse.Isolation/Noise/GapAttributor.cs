using Bitfuse.Isolation.Tracing;

namespace Bitfuse.Isolation.Noise;

/// <summary>
/// Names the cause of each gap a pinned thread saw, from the kernel's tracepoints on its CPU and the
/// runtime's own events. Invariants: every tick is in the meter's clock; the kernel events are of one CPU,
/// in time order. The events are first turned into spans (an interrupt handler, a softirq, a vector, a run
/// of another task, an idle stretch after the measuring thread blocked), each knowing the span it is nested
/// in. A span's weight in a gap is its overlap with the gap minus its nested spans' overlaps (so a tick
/// inside another task's run counts once, for the tick). A gap's cause is the cause with the most weight
/// inside the gap (widened by the clock tolerance); with none, a page
/// fault of the measuring thread, else <see cref="GapCause.Unexplained"/>. The runtime refines the result:
/// a gap inside a suspension window whose kernel picture is the measuring thread waiting, an IPI, another
/// thread of this process, or nothing, is the suspension (a GC or another reason); a thread of this process
/// is the JIT or the thread pool when its name or its events say so.
/// </summary>
public static class GapAttributor
{
    /// <summary>The causes of <paramref name="gaps"/> (start tick, length in ticks), one per gap, in order.</summary>
    /// <param name="gaps">The gaps, in time order.</param>
    /// <param name="kernel">The tracepoints of the CPU in the meter's ticks, in time order; null when the kernel was not traced.</param>
    /// <param name="runtime">The runtime's windows in the meter's ticks.</param>
    /// <param name="measuringThread">The thread id of the pinned, measuring thread.</param>
    /// <param name="processThreads">The thread ids of this process (any seen during the run).</param>
    /// <param name="tolerance">How far a kernel span may lie outside a gap and still count (the trace clock's resolution).</param>
    /// <param name="runtimeTolerance">How far a runtime window may lie outside a gap and still count (the runtime's clock against the meter's).</param>
    public static GapCause[] Attribute(IReadOnlyList<(ulong Start, ulong Length)> gaps, IReadOnlyList<TraceEvent>? kernel,
        IReadOnlyList<RuntimeWindow> runtime, int measuringThread, IReadOnlySet<int> processThreads, ulong tolerance = 0, ulong runtimeTolerance = 0)
    {
        ArgumentNullException.ThrowIfNull(gaps);
        ArgumentNullException.ThrowIfNull(runtime);
        ArgumentNullException.ThrowIfNull(processThreads);
        var spans = kernel is null ? new KernelSpans([], [], [], []) : KernelSpans.Build(kernel, measuringThread, processThreads);
        var causes = new GapCause[gaps.Count];
        var weights = new Dictionary<(NoiseCauseKind, string), (GapCause Cause, double Weight)>();
        for (var g = 0; g < gaps.Count; g++)
        {
            var from = gaps[g].Start - Math.Min(gaps[g].Start, tolerance);
            var to = gaps[g].Start + gaps[g].Length + tolerance;
            weights.Clear();
            spans.Weigh(from, to, weights);
            GapCause? best = null;
            var bestWeight = -1.0;
            foreach (var (cause, weight) in weights.Values)
            {
                if (weight > bestWeight)
                {
                    best = cause;
                    bestWeight = weight;
                }
            }
            best ??= spans.HasPageFault(from, to) ? new GapCause(NoiseCauseKind.PageFault, "page fault") : null;
            var runtimeFrom = gaps[g].Start - Math.Min(gaps[g].Start, runtimeTolerance);
            var runtimeTo = gaps[g].Start + gaps[g].Length + runtimeTolerance;
            causes[g] = Refine(best, runtimeFrom, runtimeTo, runtime, kernel is not null) ?? GapCause.Unexplained;
        }
        return causes;
    }

    private static GapCause? Refine(GapCause? kernelCause, ulong from, ulong to, IReadOnlyList<RuntimeWindow> runtime, bool traced)
    {
        var kind = kernelCause?.Kind;
        var threadOfOurs = kind == NoiseCauseKind.ProcessThread ? kernelCause!.ThreadId : null;
        foreach (var window in runtime)
        {
            if (window.End < from || window.Start > to)
            {
                continue;
            }
            switch (window.Kind)
            {
                case RuntimeWindowKind.Suspension when kind is null or NoiseCauseKind.Blocked or NoiseCauseKind.Ipi or NoiseCauseKind.ProcessThread or NoiseCauseKind.Gc:
                    return window.IsGc
                        ? new GapCause(NoiseCauseKind.Gc, "GC", window.Detail)
                        : new GapCause(NoiseCauseKind.RuntimeSuspension, $"runtime suspension ({window.Detail})");
                case RuntimeWindowKind.Jit when threadOfOurs == window.ThreadId:
                    return new GapCause(NoiseCauseKind.Jit, "JIT", window.Detail);
                case RuntimeWindowKind.ThreadPoolStart when threadOfOurs == window.ThreadId:
                    return new GapCause(NoiseCauseKind.ThreadPool, "thread pool", kernelCause!.Name);
            }
        }
        return traced ? kernelCause : null;
    }

    /// <summary>The kernel's activity on one CPU as spans with exclusive times, plus the measuring thread's page faults.</summary>
    private sealed class KernelSpans(ulong[] starts, ulong[] ends, int[] parents, GapCause[] causes)
    {
        private readonly ulong[] _maxEnd = PrefixMax(ends);
        private ulong[] _faults = [];

        public static KernelSpans Build(IReadOnlyList<TraceEvent> events, int measuringThread, IReadOnlySet<int> processThreads)
        {
            var list = new List<(ulong Start, ulong End, GapCause Cause)>();
            var faults = new List<ulong>();
            var open = new Dictionary<(TraceEventKind, int, string), (ulong Start, string Name)>();
            var timerFunctions = new SortedSet<string>(StringComparer.Ordinal);
            var works = new SortedSet<string>(StringComparer.Ordinal);
            (int Pid, string Comm, ulong Since)? running = null;
            var measuringBlocked = false;
            foreach (var e in events)
            {
                running ??= (e.Pid, e.Comm, e.Timestamp);
                switch (e.Kind)
                {
                    case TraceEventKind.IrqEntry:
                        open[(TraceEventKind.IrqEntry, e.Number, "")] = (e.Timestamp, e.Name);
                        break;
                    case TraceEventKind.IrqExit when open.Remove((TraceEventKind.IrqEntry, e.Number, ""), out var irq):
                        list.Add((irq.Start, e.Timestamp, new GapCause(NoiseCauseKind.Irq, $"IRQ {e.Number} {irq.Name}".TrimEnd())));
                        break;
                    case TraceEventKind.SoftirqEntry:
                        open[(TraceEventKind.SoftirqEntry, e.Number, "")] = (e.Timestamp, e.Name);
                        break;
                    case TraceEventKind.SoftirqExit when open.Remove((TraceEventKind.SoftirqEntry, e.Number, ""), out var softirq):
                        list.Add((softirq.Start, e.Timestamp, new GapCause(NoiseCauseKind.Softirq, $"softirq {softirq.Name}")));
                        break;
                    case TraceEventKind.VectorEntry:
                        open[(TraceEventKind.VectorEntry, 0, e.Name)] = (e.Timestamp, e.Name);
                        timerFunctions.Clear();
                        break;
                    case TraceEventKind.VectorExit when open.Remove((TraceEventKind.VectorEntry, 0, e.Name), out var vector):
                        list.Add((vector.Start, e.Timestamp, e.Name == "local_timer"
                            ? new GapCause(NoiseCauseKind.LocalTimer, "local timer", timerFunctions.Count == 0 ? null : string.Join(", ", timerFunctions))
                            : new GapCause(NoiseCauseKind.Ipi, VectorName(e.Name))));
                        break;
                    case TraceEventKind.HrtimerExpire:
                        timerFunctions.Add(e.Name);
                        break;
                    case TraceEventKind.WorkqueueStart:
                        works.Add(e.Name);
                        break;
                    case TraceEventKind.PageFault when e.Pid == measuringThread:
                        faults.Add(e.Timestamp);
                        break;
                    case TraceEventKind.SchedSwitch:
                        var (pid, comm, since) = running.Value;
                        if (pid != measuringThread && (pid != 0 || measuringBlocked))
                        {
                            list.Add((since, e.Timestamp, TaskCause(pid, comm, measuringBlocked, works, processThreads)));
                        }
                        works.Clear();
                        if (e.Pid == measuringThread)
                        {
                            measuringBlocked = !e.Preempted;
                        }
                        if (e.NextPid == measuringThread)
                        {
                            measuringBlocked = false;
                        }
                        running = (e.NextPid, e.Name, e.Timestamp);
                        break;
                }
            }
            if (running is var (lastPid, lastComm, lastSince) && events.Count > 0 && lastPid != measuringThread && (lastPid != 0 || measuringBlocked))
            {
                list.Add((lastSince, events[^1].Timestamp, TaskCause(lastPid, lastComm, measuringBlocked, works, processThreads)));
            }

            list.Sort((a, b) => a.Start != b.Start ? a.Start.CompareTo(b.Start) : b.End.CompareTo(a.End));
            var starts = new ulong[list.Count];
            var ends = new ulong[list.Count];
            var parents = new int[list.Count];
            var causes = new GapCause[list.Count];
            var enclosing = new Stack<int>();
            for (var i = 0; i < list.Count; i++)
            {
                (starts[i], ends[i], causes[i]) = list[i];
                while (enclosing.Count > 0 && ends[enclosing.Peek()] <= starts[i])
                {
                    enclosing.Pop();
                }
                parents[i] = enclosing.Count > 0 && ends[i] <= ends[enclosing.Peek()] ? enclosing.Peek() : -1;
                enclosing.Push(i);
            }
            return new KernelSpans(starts, ends, parents, causes) { _faults = [.. faults] };
        }

        /// <summary>Adds to <paramref name="weights"/> each cause's time inside [from, to], nested spans' time taken from the span around them.</summary>
        public void Weigh(ulong from, ulong to, Dictionary<(NoiseCauseKind, string), (GapCause Cause, double Weight)> weights)
        {
            // The first span that may reach into the window: prefix maxima of the ends are sorted.
            var i = LowerBound(_maxEnd, from);
            for (; i < starts.Length && starts[i] <= to; i++)
            {
                if (ends[i] < from)
                {
                    continue;
                }
                double overlap = Math.Min(ends[i], to) - Math.Max(starts[i], from);
                Add(weights, causes[i], overlap);
                if (parents[i] >= 0)
                {
                    Add(weights, causes[parents[i]], -overlap);
                }
            }
        }

        private static void Add(Dictionary<(NoiseCauseKind, string), (GapCause Cause, double Weight)> weights, GapCause cause, double weight)
        {
            var key = (cause.Kind, cause.Name);
            weights[key] = weights.TryGetValue(key, out var seen) ? (seen.Cause, seen.Weight + weight) : (cause, weight);
        }

        public bool HasPageFault(ulong from, ulong to)
        {
            var i = LowerBound(_faults, from);
            return i < _faults.Length && _faults[i] <= to;
        }

        private static int LowerBound(ulong[] sorted, ulong value)
        {
            int lo = 0, hi = sorted.Length;
            while (lo < hi)
            {
                var mid = (lo + hi) >>> 1;
                if (sorted[mid] < value)
                {
                    lo = mid + 1;
                }
                else
                {
                    hi = mid;
                }
            }
            return lo;
        }

        private static ulong[] PrefixMax(ulong[] values)
        {
            var result = new ulong[values.Length];
            ulong max = 0;
            for (var i = 0; i < values.Length; i++)
            {
                result[i] = max = Math.Max(max, values[i]);
            }
            return result;
        }
    }

    /// <summary>
    /// The cause of a stretch in which <paramref name="pid"/> ran instead of the measuring thread. When the measuring
    /// thread had blocked, whatever ran meanwhile only used a CPU it had left: the cause is the wait.
    /// </summary>
    private static GapCause TaskCause(int pid, string comm, bool measuringBlocked, SortedSet<string> works, IReadOnlySet<int> processThreads)
    {
        comm = comm.Trim();
        var name = $"{comm} ({pid})";
        if (measuringBlocked)
        {
            return new GapCause(NoiseCauseKind.Blocked, "measuring thread waited", pid == 0 ? null : $"{name} ran meanwhile");
        }
        if (processThreads.Contains(pid))
        {
            // The runtime names its threads; the kernel keeps 15 characters of the name.
            if (comm.StartsWith(".NET Tiered", StringComparison.Ordinal))
            {
                return new GapCause(NoiseCauseKind.Jit, "JIT", $"tiered compilation worker {name}");
            }
            if (comm.StartsWith(".NET TP", StringComparison.Ordinal))
            {
                return new GapCause(NoiseCauseKind.ThreadPool, "thread pool", name);
            }
            if (comm.StartsWith(".NET BGC", StringComparison.Ordinal) || comm.StartsWith(".NET Server GC", StringComparison.Ordinal))
            {
                return new GapCause(NoiseCauseKind.Gc, "GC", $"GC thread {name}");
            }
            return new GapCause(NoiseCauseKind.ProcessThread, $"thread {name} of this process") { ThreadId = pid };
        }
        return new GapCause(NoiseCauseKind.Task, name, works.Count == 0 ? null : string.Join(", ", works));
    }

    private static string VectorName(string vector) => vector switch
    {
        "reschedule" => "reschedule IPI",
        "call_function" => "function-call IPI",
        "call_function_single" => "function-call IPI (single)",
        _ => vector.Replace('_', ' '),
    };
}
