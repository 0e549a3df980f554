using System.Reflection;
using System.Runtime;
using System.Runtime.InteropServices;
using Bitfuse.Isolation.Audit;
using Bitfuse.Isolation.Pinning;
using Bitfuse.Isolation.Tracing;

namespace Bitfuse.Isolation.Noise;

/// <summary>
/// Measures the noise pinned threads see. Protocol: one <see cref="PinnedThread"/> per CPU prepares itself,
/// then all spin for a warm-up (which also gives the loop period for an automatic threshold), then all spin
/// for the measured duration against one shared end timestamp. Meanwhile this thread moves the process's
/// other threads off the measured CPUs, holds a no-GC region if the runtime grants one, and samples
/// <c>/proc</c> every interval for attribution. Nothing is allocated inside the loops. With attribution on,
/// the runtime's events are recorded from before the threads start (so its dispatch thread is moved off
/// with the others) and the kernel's tracepoints of the measured CPUs from just before the measured spin to
/// just after it; each kept gap is then given a cause by <see cref="GapAttributor"/>.
/// </summary>
public static class NoiseMeter
{
    /// <summary>An automatic threshold is this many times the median loop period (and at least <see cref="AutoThresholdFloorNs"/>).</summary>
    public const double AutoThresholdFactor = 8;

    /// <summary>The lowest automatic threshold in ns.</summary>
    public const double AutoThresholdFloorNs = 100;

    /// <summary>Checks that every CPU can be measured: online and allowed to this process.</summary>
    /// <exception cref="ArgumentException">A CPU is offline or not allowed, or the set is empty.</exception>
    public static void Validate(CpuSet cpus, SystemRoot? root = null)
    {
        root ??= SystemRoot.Live;
        if (cpus.IsEmpty)
        {
            throw new ArgumentException("no CPU to measure", nameof(cpus));
        }
        var online = CpuTopology.Read(root).Online;
        var offline = cpus.Except(online);
        if (!offline.IsEmpty)
        {
            throw new ArgumentException($"CPU {offline} {(offline.Count == 1 ? "is" : "are")} not online (online: {online})", nameof(cpus));
        }
        if (TaskInfo.Read(root, "proc/self")?.AllowedCpus is { } allowed && !cpus.IsSubsetOf(allowed))
        {
            throw new ArgumentException($"CPU {cpus.Except(allowed)} is not allowed to this process (allowed: {allowed})", nameof(cpus));
        }
    }

    /// <summary>Runs a measurement; <paramref name="progress"/> gets the fraction done after each interval.</summary>
    public static NoiseReport Run(NoiseOptions options, IProgress<double>? progress = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        Validate(options.Cpus);
        if (options.Duration <= TimeSpan.Zero)
        {
            throw new ArgumentException($"the duration must be positive, not {options.Duration}", nameof(options));
        }
        if (options.Threshold is { } t && t <= TimeSpan.Zero)
        {
            throw new ArgumentException($"the threshold must be positive, not {t}", nameof(options));
        }

        var clock = TimestampClock.Create(options.Clock);
        using var runtimeEvents = options.Attribute ? new RuntimeEventRecorder(clock) : null;
        var cpus = options.Cpus.ToArray();
        var samplers = new NoiseSampler[cpus.Length];
        var threads = new PinnedThread[cpus.Length];
        using var barrier = new Barrier(cpus.Length + 1);
        ulong endTick = 0, threshold = 0, warmupEnd = 0;
        for (var i = 0; i < cpus.Length; i++)
        {
            var sampler = samplers[i] = new NoiseSampler(cpus[i], options.EventCapacity);
            threads[i] = PinnedThread.Start(new PinnedThreadOptions(cpus[i]) { Name = $"bitfuse noise {cpus[i]}", FifoPriority = options.FifoPriority, LockMemory = options.LockMemory && i == 0 }, _ =>
            {
                barrier.SignalAndWait(CancellationToken.None);
                sampler.Run(clock, Volatile.Read(ref warmupEnd), ulong.MaxValue);
                barrier.SignalAndWait(CancellationToken.None);
                barrier.SignalAndWait(CancellationToken.None);
                sampler.Run(clock, Volatile.Read(ref endTick), Volatile.Read(ref threshold));
                barrier.SignalAndWait();
                barrier.SignalAndWait();
            });
        }
        var preparation = new List<PreparationStep>();
        var tids = new HashSet<int>();
        foreach (var thread in threads)
        {
            preparation.AddRange(thread.WaitPrepared());
            tids.Add(thread.ThreadId);
        }

        IReadOnlyList<RuntimeThreads.Move> moved = [];
        if (options.MoveRuntimeThreads)
        {
            var (m, steps) = RuntimeThreads.MoveOff(options.Cpus, tids);
            moved = m;
            preparation.AddRange(steps);
        }
        KernelTrace? trace = null;
        string? traceUnavailable = "attribution is off";
        IReadOnlyList<PreparationStep> staleRestored = [];
        if (options.Attribute)
        {
            staleRestored = KernelTrace.RestoreStale(options.TraceRoot);
            trace = KernelTrace.TryStart(options.TraceRoot, options.Cpus, clock.Kind == ClockKind.Rdtsc, options.Warmup + options.Duration, out traceUnavailable, tids);
        }
        try
        {
            // Warm-up: JIT-free (the loop is AggressiveOptimization), caches and branch predictors warm, loop period known.
            Volatile.Write(ref warmupEnd, clock.Read() + clock.FromNs(options.Warmup.TotalNanoseconds));
            barrier.SignalAndWait(CancellationToken.None);
            barrier.SignalAndWait(CancellationToken.None);
            double periodNs = 0;
            foreach (var s in samplers)
            {
                periodNs = Math.Max(periodNs, clock.ToNs(LogLinearHistogram.UpperBound(LogLinearHistogram.IndexOf(s.Histogram.ValueAtQuantile(0.5)))));
                s.Reset();
            }
            var thresholdNs = options.Threshold?.TotalNanoseconds ?? Math.Max(AutoThresholdFloorNs, Math.Ceiling(periodNs * AutoThresholdFactor));
            var thresholdBy = options.Threshold is null
                ? $"auto: {AutoThresholdFactor}x the median loop period of the warm-up ({periodNs:F1} ns), at least {AutoThresholdFloorNs} ns"
                : "given";
            Volatile.Write(ref threshold, clock.FromNs(thresholdNs));

            // Starting a no-GC region collects first; that happens while the samplers wait, so it is not counted.
            var noGc = TryStartNoGcRegion();
            var snapshot = Snapshot.Take(tids);
            var startedAt = DateTimeOffset.UtcNow;
            var gcBefore = (GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2), GC.GetTotalPauseDuration());
            var jitBefore = (JitInfo.GetCompiledMethodCount(), JitInfo.GetCompilationTime());
            var traceStarted = false;
            try
            {
                trace?.Begin();
                traceStarted = trace is not null;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                traceUnavailable = $"tracing did not start: {e.Message}";
            }
            var start = clock.Read();
            var durationTicks = clock.FromNs(options.Duration.TotalNanoseconds);
            Volatile.Write(ref endTick, start + durationTicks);
            barrier.SignalAndWait(CancellationToken.None);

            var intervals = new List<(double Start, double End, Snapshot Before, Snapshot After, long[] Gaps, long[] Noise)>();
            var lastGaps = new long[cpus.Length];
            var lastNoise = new long[cpus.Length];
            var intervalStart = 0.0;
            var previous = snapshot;
            while (true)
            {
                var now = clock.Read();
                if (now >= endTick)
                {
                    break;
                }
                var remainingNs = clock.ToNs(endTick - now);
                var waitNs = Math.Min(remainingNs, options.Interval.TotalNanoseconds);
                if (cancellation.WaitHandle.WaitOne(TimeSpan.FromTicks(Math.Max(1, (long)(waitNs / 100)))))
                {
                    foreach (var s in samplers)
                    {
                        s.RequestStop();
                    }
                    break;
                }
                var current = Snapshot.Take(tids);
                var elapsed = Math.Min(clock.ToNs(clock.Read() - start) / 1e9, options.Duration.TotalSeconds);
                var gaps = new long[cpus.Length];
                var noise = new long[cpus.Length];
                for (var i = 0; i < cpus.Length; i++)
                {
                    var g = samplers[i].PublishedGaps;
                    var n = samplers[i].PublishedNoiseTicks;
                    gaps[i] = g - lastGaps[i];
                    noise[i] = n - lastNoise[i];
                    lastGaps[i] = g;
                    lastNoise[i] = n;
                }
                intervals.Add((intervalStart, elapsed, previous, current, gaps, noise));
                intervalStart = elapsed;
                previous = current;
                progress?.Report(Math.Min(1, elapsed / options.Duration.TotalSeconds));
            }
            // The samplers wait at the barrier until the final snapshot is taken, so their /proc entries still exist.
            barrier.SignalAndWait(CancellationToken.None);
            var final = Snapshot.Take(tids);
            var processThreads = new HashSet<int>(TaskInfo.ReadOwnThreads().Select(t => t.Id));
            barrier.SignalAndWait(CancellationToken.None);
            foreach (var thread in threads)
            {
                thread.Join();
            }
            var noGcHeld = EndNoGcRegion(noGc);
            var runtime = new RuntimeActivity(
                GC.CollectionCount(0) - gcBefore.Item1, GC.CollectionCount(1) - gcBefore.Item2, GC.CollectionCount(2) - gcBefore.Item3,
                (GC.GetTotalPauseDuration() - gcBefore.Item4).TotalMilliseconds,
                JitInfo.GetCompiledMethodCount() - jitBefore.Item1, (JitInfo.GetCompilationTime() - jitBefore.Item2).TotalMilliseconds,
                noGcHeld);
            // The last partial interval (between the last sample and the end).
            {
                var gaps = new long[cpus.Length];
                var noise = new long[cpus.Length];
                for (var i = 0; i < cpus.Length; i++)
                {
                    gaps[i] = samplers[i].Events.Written - lastGaps[i];
                    noise[i] = (long)samplers[i].NoiseTicks - lastNoise[i];
                }
                var end = clock.ToNs(samplers.Max(s => s.EndTick) - start) / 1e9;
                if (end > intervalStart)
                {
                    intervals.Add((intervalStart, end, previous, final, gaps, noise));
                }
            }

            var sharing = ThreadsSharing(cpus, tids);
            IReadOnlyDictionary<int, TraceCapture>? captures = null;
            if (trace is not null && traceStarted)
            {
                try
                {
                    captures = trace.Stop();
                }
                catch (Exception e) when (e is FormatException or IOException or UnauthorizedAccessException)
                {
                    traceUnavailable = $"the trace could not be read: {e.Message}";
                }
            }
            var restored = trace?.Restore() ?? [];
            var windows = runtimeEvents?.Windows() ?? [];
            processThreads.UnionWith(runtimeEvents?.Threads ?? new HashSet<int>());
            var attribution = new AttributionStatus
            {
                KernelTraced = captures is not null,
                KernelUnavailable = captures is null ? traceUnavailable : null,
                TraceClock = captures is null ? null : trace!.Clock,
                TraceEvents = captures is null ? [] : trace!.EnabledEvents,
                RuntimeRecorded = runtimeEvents is not null,
                RuntimeEvents = runtimeEvents?.Count ?? 0,
                ToleranceNs = TraceToleranceNs(captures),
                Changes = trace?.Changes ?? [],
                Restored = restored,
                StaleRestored = staleRestored,
            };
            var results = new CpuNoise[cpus.Length];
            for (var i = 0; i < cpus.Length; i++)
            {
                var cpuIntervals = intervals.Select(iv => new NoiseInterval(iv.Start, iv.End, iv.Gaps[i], clock.ToNs(iv.Noise[i]),
                    Attribution(iv.Before, iv.After, cpus[i], threads[i].ThreadId))).ToList();
                var cpuNoise = Summarize(samplers[i], clock, threads[i].Pinned, Attribution(snapshot, final, cpus[i], threads[i].ThreadId), cpuIntervals,
                    sharing.GetValueOrDefault(cpus[i]) ?? []);
                results[i] = options.Attribute
                    ? Attribute(cpuNoise, samplers[i], clock, captures?.GetValueOrDefault(cpus[i]), windows, threads[i].ThreadId, processThreads, attribution.ToleranceNs)
                    : cpuNoise;
            }
            progress?.Report(1);
            var duration = results.Length == 0 ? 0 : clock.ToNs(samplers.Max(s => s.EndTick - s.StartTick)) / 1e9;
            return new NoiseReport
            {
                StartedAt = startedAt,
                DurationSeconds = duration,
                ThresholdNs = thresholdNs,
                ThresholdChosenBy = thresholdBy,
                Clock = new ClockFacts(clock.Kind, clock.Reason, clock.TicksPerSecond, clock.Kind == ClockKind.Rdtsc ? "CLOCK_MONOTONIC_RAW" : "none (Stopwatch is nanoseconds)"),
                Host = Host(),
                Cpus = results,
                Runtime = runtime,
                Preparation = preparation,
                Attribution = attribution,
                Audit = options.IncludeAudit ? IsolationAudit.Run(SystemRoot.Live, options.Cpus) : null,
            };
        }
        finally
        {
            foreach (var s in samplers)
            {
                s.RequestStop();
            }
            trace?.Restore();
            RuntimeThreads.Restore(moved);
        }
    }

    /// <summary>How far apart an event and a gap may be and still match: the runtime's UTC stamps against the meter's clock.</summary>
    public const double RuntimeToleranceNs = 20_000;

    /// <summary>The kernel events' tolerance: none for a counter clock read the same way as the meter's, 1 µs for a clock printed in µs.</summary>
    private static double TraceToleranceNs(IReadOnlyDictionary<int, TraceCapture>? captures) =>
        captures is not null && captures.Values.Any(c => !c.CounterClock) ? 1000 : 0;

    /// <summary>Gives each kept gap of one CPU a cause and sums the causes.</summary>
    private static CpuNoise Attribute(CpuNoise cpu, NoiseSampler sampler, TimestampClock clock, TraceCapture? capture, IReadOnlyList<RuntimeWindow> windows,
        int measuringThread, IReadOnlySet<int> processThreads, double toleranceNs)
    {
        var gaps = sampler.Events.Snapshot();
        IReadOnlyList<TraceEvent>? kernel = null;
        if (capture is not null)
        {
            // A time clock (mono) prints nanoseconds; the Stopwatch clock counts Stopwatch ticks of the same CLOCK_MONOTONIC.
            kernel = capture.CounterClock
                ? capture.Events
                : capture.Events.Select(e => e with { Timestamp = (ulong)(e.Timestamp * (System.Diagnostics.Stopwatch.Frequency / 1e9)) }).ToList();
        }
        var causes = GapAttributor.Attribute(gaps, kernel, windows, measuringThread, processThreads, clock.FromNs(toleranceNs), clock.FromNs(RuntimeToleranceNs));
        var events = new GapEvent[cpu.Events.Count];
        var lengths = new double[cpu.Events.Count];
        double named = 0, all = 0;
        for (var g = 0; g < events.Length; g++)
        {
            events[g] = cpu.Events[g] with { Cause = causes[g] };
            lengths[g] = cpu.Events[g].GapNs;
            all += lengths[g];
            named += causes[g].Kind == NoiseCauseKind.Unexplained ? 0 : lengths[g];
        }
        return cpu with
        {
            Events = events,
            Causes = NoiseCause.Summarize(lengths, causes),
            AttributedPercent = all == 0 ? 100 : 100 * named / all,
            TraceEvents = capture?.Events.Count ?? 0,
            TraceEventsLost = capture?.Lost ?? 0,
        };
    }

    private static CpuNoise Summarize(NoiseSampler s, TimestampClock clock, bool pinned, NoiseAttribution total, IReadOnlyList<NoiseInterval> intervals, IReadOnlyList<string> sharing)
    {
        var durationTicks = Math.Max(1, s.EndTick - s.StartTick);
        var seconds = clock.ToNs(durationTicks) / 1e9;
        var buckets = new List<HistogramBucket>();
        var counts = s.Histogram.Counts;
        for (var b = 0; b < counts.Length; b++)
        {
            if (counts[b] != 0)
            {
                buckets.Add(new HistogramBucket(clock.ToNs(LogLinearHistogram.LowerBound(b)), clock.ToNs(LogLinearHistogram.UpperBound(b)), counts[b]));
            }
        }
        var events = s.Events.Snapshot().Select(e => new GapEvent(clock.ToNs(e.Start - Math.Min(e.Start, s.StartTick)), clock.ToNs(e.Gap))).ToList();
        double Q(double q) => Math.Min(clock.ToNs(s.Histogram.ValueAtQuantile(q)), clock.ToNs(s.MaxGap));
        return new CpuNoise
        {
            Cpu = s.Cpu,
            Pinned = pinned,
            StartTimestamp = s.StartTick,
            Samples = s.Samples,
            LoopPeriodNs = s.Samples == 0 ? 0 : clock.ToNs(durationTicks) / s.Samples,
            Gaps = s.Events.Written,
            GapsPerSecond = s.Events.Written / seconds,
            NoiseNsPerSecond = clock.ToNs(s.NoiseTicks) / seconds,
            PercentLost = 100.0 * s.NoiseTicks / durationTicks,
            MaxNs = clock.ToNs(s.MaxGap),
            Percentiles = new NoisePercentiles(Q(0.5), Q(0.99), Q(0.999), Q(0.9999)),
            Histogram = buckets,
            Events = events,
            EventsDropped = s.Events.Dropped,
            Total = total,
            Intervals = intervals,
            RuntimeThreadsSharing = sharing,
        };
    }

    private static NoiseAttribution Attribution(Snapshot before, Snapshot after, int cpu, int threadId)
    {
        var (vBefore, iBefore) = before.Switches.GetValueOrDefault(threadId);
        var (vAfter, iAfter) = after.Switches.GetValueOrDefault(threadId);
        var stealBefore = before.Times.FirstOrDefault(t => t.Cpu == cpu)?.Steal ?? 0;
        var stealAfter = after.Times.FirstOrDefault(t => t.Cpu == cpu)?.Steal ?? 0;
        return new NoiseAttribution(
            after.Interrupts.DeltasSince(before.Interrupts, cpu),
            after.Softirqs.DeltasSince(before.Softirqs, cpu),
            vAfter - vBefore, iAfter - iBefore,
            (stealAfter - stealBefore) * (1e9 / CpuTimes.TicksPerSecond));
    }

    private static Dictionary<int, IReadOnlyList<string>> ThreadsSharing(int[] cpus, HashSet<int> samplerTids)
    {
        var result = new Dictionary<int, IReadOnlyList<string>>();
        var threads = new List<(TaskInfo Task, CpuSet Allowed)>();
        foreach (var task in TaskInfo.ReadOwnThreads())
        {
            if (samplerTids.Contains(task.Id))
            {
                continue;
            }
            try
            {
                threads.Add((task, ThreadAffinity.Get(task.Id)));
            }
            catch (ArgumentException)
            {
                // ended meanwhile
            }
        }
        foreach (var cpu in cpus)
        {
            result[cpu] = threads.Where(t => t.Allowed.Contains(cpu)).Select(t => $"{t.Task.Name} ({t.Task.Id})").ToList();
        }
        return result;
    }

    private static bool TryStartNoGcRegion()
    {
        foreach (var bytes in new long[] { 64L << 20, 16L << 20 })
        {
            try
            {
                if (GC.TryStartNoGCRegion(bytes))
                {
                    return true;
                }
            }
            catch (ArgumentOutOfRangeException)
            {
                // too large for this GC configuration; try smaller
            }
            catch (InvalidOperationException)
            {
                return false; // already in a no-GC region
            }
        }
        return false;
    }

    private static bool EndNoGcRegion(bool started)
    {
        if (!started)
        {
            return false;
        }
        if (GCSettings.LatencyMode != GCLatencyMode.NoGCRegion)
        {
            return false;
        }
        try
        {
            GC.EndNoGCRegion();
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    private static HostFacts Host()
    {
        var root = SystemRoot.Live;
        var processor = ProcessorDescription.Read(root);
        var version = typeof(NoiseMeter).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";
        return new HostFacts(root.ReadText("proc/sys/kernel/osrelease"), processor.Model, Environment.ProcessorCount, RuntimeInformation.FrameworkDescription,
            processor.Hypervisor, version);
    }

    /// <summary>The kernel's counters at one moment.</summary>
    private sealed record Snapshot(InterruptTable Interrupts, InterruptTable Softirqs, IReadOnlyList<CpuTimes> Times, Dictionary<int, (long Voluntary, long Involuntary)> Switches)
    {
        public static Snapshot Take(HashSet<int> tids)
        {
            var root = SystemRoot.Live;
            var switches = new Dictionary<int, (long, long)>();
            foreach (var tid in tids)
            {
                if (TaskInfo.Read(root, $"proc/self/task/{tid}") is { } task)
                {
                    switches[tid] = (task.VoluntarySwitches, task.InvoluntarySwitches);
                }
            }
            return new Snapshot(InterruptTable.Read(root, "proc/interrupts"), InterruptTable.Read(root, "proc/softirqs"), CpuTimes.Read(root), switches);
        }
    }
}
