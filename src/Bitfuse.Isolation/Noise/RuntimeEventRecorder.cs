using System.Diagnostics.Tracing;

namespace Bitfuse.Isolation.Noise;

/// <summary>
/// Records the runtime's own events of this process through an in-process <see cref="EventListener"/>:
/// thread suspensions (<c>GCSuspendEEBegin</c> to <c>GCRestartEEEnd</c>, with the reason), methods being
/// compiled (<c>MethodJittingStarted</c> to <c>MethodLoadVerbose</c>, per thread) and thread-pool workers
/// starting. The runtime delivers them on its own dispatch thread, stamped with UTC times derived from its
/// monotonic clock; <see cref="Windows"/> turns them into the meter's ticks through one (UTC, tick) pair
/// read when recording starts, so the two agree to within the realtime clock's slew over the run.
/// Invariant: the callback only appends to a list under a lock; the measuring threads never see it.
/// </summary>
public sealed class RuntimeEventRecorder : EventListener
{
    private const string RuntimeSource = "Microsoft-Windows-DotNETRuntime";
    private const EventKeywords GcKeyword = (EventKeywords)0x1;
    private const EventKeywords JitKeyword = (EventKeywords)0x10;
    private const EventKeywords ThreadingKeyword = (EventKeywords)0x10000;

    private readonly Lock _lock = new();
    private readonly List<(DateTime Time, string Name, int ThreadId, string Detail)> _events = [];
    private readonly HashSet<int> _threads = [];
    private readonly TimestampClock? _clock;
    private readonly DateTime _anchorUtc;
    private readonly ulong _anchorTick;

    /// <summary>Starts recording; <paramref name="clock"/> is the meter's clock the windows are given in.</summary>
    public RuntimeEventRecorder(TimestampClock clock)
    {
        ArgumentNullException.ThrowIfNull(clock);
        _anchorTick = clock.Read();
        _anchorUtc = DateTime.UtcNow;
        _clock = clock;
        // EventListener's constructor may call OnEventSourceCreated before this body runs: enable here as well.
        foreach (var source in EventSource.GetSources())
        {
            if (source.Name == RuntimeSource)
            {
                EnableEvents(source, EventLevel.Verbose, GcKeyword | JitKeyword | ThreadingKeyword);
            }
        }
    }

    /// <summary>OS thread ids the runtime's events came from (threads of this process).</summary>
    public IReadOnlySet<int> Threads
    {
        get
        {
            lock (_lock)
            {
                return new HashSet<int>(_threads);
            }
        }
    }

    /// <summary>How many runtime events were recorded.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _events.Count;
            }
        }
    }

    /// <summary>The recorded activity as windows in the meter's ticks, in time order.</summary>
    public IReadOnlyList<RuntimeWindow> Windows()
    {
        List<(DateTime Time, string Name, int ThreadId, string Detail)> events;
        lock (_lock)
        {
            events = [.. _events];
        }
        events.Sort((a, b) => a.Time.CompareTo(b.Time));
        var windows = new List<RuntimeWindow>();
        (ulong Start, string Reason, bool Gc, int Thread)? suspension = null;
        var jitting = new Dictionary<int, (ulong Start, string Method)>();
        foreach (var (time, name, thread, detail) in events)
        {
            var tick = Tick(time);
            switch (name)
            {
                case "GCSuspendEEBegin_V1" or "GCSuspendEEBegin":
                    suspension ??= (tick, detail, detail is "SuspendForGC" or "SuspendForGCPrep", thread);
                    break;
                case "GCRestartEEEnd_V1" or "GCRestartEEEnd" when suspension is { } s:
                    windows.Add(new RuntimeWindow(s.Start, tick, RuntimeWindowKind.Suspension, s.Thread, s.Reason, s.Gc));
                    suspension = null;
                    break;
                case "MethodJittingStarted_V1" or "MethodJittingStarted":
                    jitting[thread] = (tick, detail);
                    break;
                case "MethodLoadVerbose_V1" or "MethodLoadVerbose_V2" or "MethodLoadVerbose" when jitting.Remove(thread, out var jit):
                    windows.Add(new RuntimeWindow(jit.Start, tick, RuntimeWindowKind.Jit, thread, jit.Method));
                    break;
                case "ThreadPoolWorkerThreadStart":
                    windows.Add(new RuntimeWindow(tick, tick, RuntimeWindowKind.ThreadPoolStart, thread, ""));
                    break;
            }
        }
        windows.Sort((a, b) => a.Start.CompareTo(b.Start));
        return windows;
    }

    /// <summary>A UTC event time in the meter's ticks.</summary>
    public ulong Tick(DateTime utc)
    {
        var ns = (utc - _anchorUtc).Ticks * 100.0;
        var ticks = _anchorTick + (ns * _clock!.TicksPerSecond / 1e9);
        return ticks <= 0 ? 0 : (ulong)ticks;
    }

    /// <inheritdoc />
    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        ArgumentNullException.ThrowIfNull(eventSource);
        if (eventSource.Name == RuntimeSource)
        {
            EnableEvents(eventSource, EventLevel.Verbose, GcKeyword | JitKeyword | ThreadingKeyword);
        }
    }

    /// <inheritdoc />
    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        ArgumentNullException.ThrowIfNull(eventData);
        var name = eventData.EventName;
        string detail;
        switch (name)
        {
            case "GCSuspendEEBegin_V1" or "GCSuspendEEBegin":
                detail = SuspendReason(Payload(eventData, "Reason"));
                break;
            case "GCRestartEEEnd_V1" or "GCRestartEEEnd" or "ThreadPoolWorkerThreadStart" or "MethodLoadVerbose_V1" or "MethodLoadVerbose_V2" or "MethodLoadVerbose":
                detail = "";
                break;
            case "MethodJittingStarted_V1" or "MethodJittingStarted":
                detail = $"{Payload(eventData, "MethodNamespace")}.{Payload(eventData, "MethodName")}";
                break;
            default:
                return;
        }
        var thread = (int)eventData.OSThreadId;
        lock (_lock)
        {
            _events.Add((eventData.TimeStamp.ToUniversalTime(), name, thread, detail));
            _threads.Add(thread);
        }
    }

    private static object? Payload(EventWrittenEventArgs e, string name)
    {
        var index = e.PayloadNames?.IndexOf(name) ?? -1;
        return index >= 0 && e.Payload is { } payload && index < payload.Count ? payload[index] : null;
    }

    /// <summary>The runtime's suspension reasons (the ETW manifest's GCSuspendEEReasonMap).</summary>
    private static string SuspendReason(object? reason) => Convert.ToUInt32(reason ?? 0u, System.Globalization.CultureInfo.InvariantCulture) switch
    {
        0 => "SuspendOther",
        1 => "SuspendForGC",
        2 => "SuspendForAppDomainShutdown",
        3 => "SuspendForCodePitching",
        4 => "SuspendForShutdown",
        5 => "SuspendForDebugger",
        6 => "SuspendForGCPrep",
        7 => "SuspendForDebuggerSweep",
        var other => $"reason {other}",
    };
}
