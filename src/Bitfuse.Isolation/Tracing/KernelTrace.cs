using System.Globalization;
using System.Runtime.InteropServices;
using Bitfuse.Isolation.Pinning;
using Bitfuse.Isolation.SystemChanges;

namespace Bitfuse.Isolation.Tracing;

/// <summary>
/// Records the tracepoints that interrupt a CPU, through tracefs, for the length of a noise run.
/// Invariants:
/// <list type="bullet">
/// <item>Nothing global is touched: the events, the clock, the CPU mask and the buffer size are set in a
/// tracefs instance of our own (<c>instances/bitfuse-noise-PID</c>), so another tracer's settings stay as
/// they were. The only machine-wide changes are that instance and, when tracefs was not mounted, its mount.</item>
/// <item>Both changes go through <see cref="SystemChangeSet"/> with an undo record in <c>/run/bitfuse</c>,
/// written before and after each change; <see cref="Restore"/> replays it and deletes it. Restore runs on
/// dispose, on SIGINT/SIGTERM/SIGHUP/SIGQUIT, on process exit and on an unhandled exception; after a
/// <c>kill -9</c> the next start restores any record whose process is gone (<see cref="RestoreStale"/>),
/// and <c>bitfuse isolation undo FILE</c> replays one by hand.</item>
/// <item>Runs may overlap: the one that mounted tracefs does not unmount it under another run's instance;
/// it hands the mount to that run's record (first, so it is undone last) and that run unmounts it.</item>
/// <item>Nobody reads the buffer while the CPU is measured (a reader's wake-ups would be noise of our own):
/// the buffer is sized for the run and read once, after tracing stopped; events it had to drop are counted.</item>
/// </list>
/// </summary>
public sealed class KernelTrace : IDisposable
{
    /// <summary>Where tracefs is mounted, relative to the root.</summary>
    public const string MountPoint = "sys/kernel/tracing";

    /// <summary>Where undo records live, relative to the root.</summary>
    public const string RecordFolder = "run/bitfuse";

    /// <summary>The file-name prefix of the undo records.</summary>
    public const string RecordPrefix = "noise-tracefs-";

    /// <summary>The events enabled, as tracefs <c>system/event</c> folders; those the kernel lacks are skipped.</summary>
    public static IReadOnlyList<string> Events { get; } =
    [
        "irq/irq_handler_entry", "irq/irq_handler_exit", "irq/softirq_entry", "irq/softirq_exit",
        .. TraceText.VectorEvents.SelectMany(v => new[] { $"irq_vectors/{v}_entry", $"irq_vectors/{v}_exit" }),
        "sched/sched_switch", "workqueue/workqueue_execute_start", "timer/hrtimer_expire_entry", "exceptions/page_fault_user",
    ];

    private static readonly PosixSignal[] TrapSignals = [PosixSignal.SIGINT, PosixSignal.SIGTERM, PosixSignal.SIGHUP, PosixSignal.SIGQUIT];

    private readonly SystemRoot _root;
    private readonly string _instance;
    private readonly string _record;
    private readonly List<PosixSignalRegistration> _traps = [];
    private readonly Lock _lock = new();
    private IReadOnlyList<PreparationStep>? _restored;

    private KernelTrace(SystemRoot root, CpuSet cpus, string instance, string record, string clock)
    {
        _root = root;
        _instance = instance;
        _record = record;
        Cpus = cpus;
        Clock = clock;
    }

    /// <summary>The traced CPUs.</summary>
    public CpuSet Cpus { get; }

    /// <summary>The trace clock (<c>x86-tsc</c> or <c>mono</c>).</summary>
    public string Clock { get; }

    /// <summary>The changes made to the machine (the mount, the instance).</summary>
    public IReadOnlyList<PreparationStep> Changes { get; private set; } = [];

    /// <summary>The events enabled.</summary>
    public IReadOnlyList<string> EnabledEvents { get; private set; } = [];

    /// <summary>
    /// Sets up tracing of <paramref name="cpus"/> for about <paramref name="duration"/> with a clock the meter
    /// reads (<c>x86-tsc</c> for rdtsc, <c>mono</c> for Stopwatch), or returns null and why not.
    /// </summary>
    /// <param name="root">Where tracefs and the undo records are.</param>
    /// <param name="cpus">The CPUs to trace.</param>
    /// <param name="counterClock">True for the rdtsc clock (<c>x86-tsc</c>), false for Stopwatch (<c>mono</c>).</param>
    /// <param name="duration">About how long tracing runs (sizes the buffer).</param>
    /// <param name="unavailable">Why not, when null is returned.</param>
    /// <param name="faultingThreads">The threads whose page faults matter (the measuring threads); others' are filtered out in the kernel.</param>
    public static KernelTrace? TryStart(SystemRoot root, CpuSet cpus, bool counterClock, TimeSpan duration, out string? unavailable, IReadOnlyCollection<int>? faultingThreads = null)
    {
        ArgumentNullException.ThrowIfNull(root);
        ArgumentNullException.ThrowIfNull(cpus);
        if (root.IsLive && !SystemChangeSet.IsRoot)
        {
            unavailable = "reading the kernel's tracepoints needs root (tracefs)";
            return null;
        }
        var changes = new List<SystemChange>();
        if (!root.Exists($"{MountPoint}/trace_clock"))
        {
            if (!root.Exists(MountPoint))
            {
                unavailable = $"this kernel has no tracefs (no /{MountPoint})";
                return null;
            }
            changes.Add(new SystemChange(SystemChangeKind.Mount, MountPoint, null, "tracefs", "tracefs for the noise attribution"));
        }
        var instance = $"{MountPoint}/instances/bitfuse-noise-{Environment.ProcessId.ToString(CultureInfo.InvariantCulture)}";
        changes.Add(new SystemChange(SystemChangeKind.CreateDirectory, instance, null, "", "a tracefs instance of our own"));
        var recordFolder = root.Resolve(RecordFolder);
        string record;
        try
        {
            Directory.CreateDirectory(recordFolder);
            record = Path.Combine(recordFolder, $"{RecordPrefix}{Environment.ProcessId.ToString(CultureInfo.InvariantCulture)}.json");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            unavailable = $"cannot keep an undo record in /{RecordFolder}: {e.Message}";
            return null;
        }
        // The traps are set before the first change, so a signal at any later point finds the record; the setup
        // holds the lock a trap's restore takes, so a restore never runs between recording a change and making it.
        var trace = new KernelTrace(root, cpus, instance, record, counterClock ? "x86-tsc" : "mono");
        trace.Trap();
        string? failure = null;
        lock (trace._lock)
        {
            var steps = trace.Changes = SystemChangeSet.Apply(changes, root, record);
            if (steps.FirstOrDefault(s => !s.Done) is { } refused)
            {
                failure = $"{refused.Action}: {refused.Detail}";
            }
            else
            {
                try
                {
                    trace.EnabledEvents = trace.Configure(duration, faultingThreads ?? []);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException)
                {
                    failure = e.Message;
                }
            }
        }
        if (failure is not null)
        {
            trace.Restore();
            unavailable = failure;
            return null;
        }
        unavailable = null;
        return trace;
    }

    /// <summary>Starts recording.</summary>
    public void Begin() => _root.WriteText($"{_instance}/tracing_on", "1");

    /// <summary>Stops recording and reads each CPU's events (the buffer stays until <see cref="Restore"/>).</summary>
    /// <exception cref="FormatException">The trace text does not parse.</exception>
    public IReadOnlyDictionary<int, TraceCapture> Stop()
    {
        _root.WriteText($"{_instance}/tracing_on", "0");
        var result = new Dictionary<int, TraceCapture>();
        foreach (var cpu in Cpus.ToArray())
        {
            var capture = TraceText.Parse(_root.ReadText($"{_instance}/per_cpu/cpu{cpu}/trace") ?? "");
            var lost = capture.Lost + Stat($"{_instance}/per_cpu/cpu{cpu}/stats", "overrun") + Stat($"{_instance}/per_cpu/cpu{cpu}/stats", "dropped events");
            result[cpu] = capture with { Lost = lost };
        }
        return result;
    }

    /// <summary>Undoes every change (removes the instance, unmounts what was mounted) and deletes the record; once.</summary>
    public IReadOnlyList<PreparationStep> Restore()
    {
        lock (_lock)
        {
            if (_restored is not null)
            {
                return _restored;
            }
            try
            {
                _root.WriteText($"{_instance}/tracing_on", "0");
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // the instance is gone or was never made; undo says which
            }
            var handed = HandOverMount();
            _restored = [.. handed, .. Replay(_record, _root)];
            foreach (var trap in _traps)
            {
                trap.Dispose();
            }
            _traps.Clear();
            AppDomain.CurrentDomain.ProcessExit -= OnExit;
            AppDomain.CurrentDomain.UnhandledException -= OnCrash;
            return _restored;
        }
    }

    /// <inheritdoc />
    public void Dispose() => Restore();

    /// <summary>Restores the records under <paramref name="root"/> left by runs whose process is gone (killed before they could clean up).</summary>
    public static IReadOnlyList<PreparationStep> RestoreStale(SystemRoot root)
    {
        ArgumentNullException.ThrowIfNull(root);
        var folder = root.Resolve(RecordFolder);
        var steps = new List<PreparationStep>();
        if (!Directory.Exists(folder) || (root.IsLive && !SystemChangeSet.IsRoot))
        {
            return steps;
        }
        foreach (var file in Directory.GetFiles(folder, RecordPrefix + "*.json"))
        {
            var pid = Path.GetFileNameWithoutExtension(file)[RecordPrefix.Length..];
            if (int.TryParse(pid, NumberStyles.None, CultureInfo.InvariantCulture, out var id) && id != Environment.ProcessId && !Directory.Exists($"/proc/{id}"))
            {
                steps.AddRange(Replay(file, root));
            }
        }
        return steps;
    }

    /// <summary>
    /// When this run mounted tracefs and another live run still has an instance in it, moves the mount from
    /// this run's record to the front of that run's record, so the last run out unmounts.
    /// </summary>
    private IReadOnlyList<PreparationStep> HandOverMount()
    {
        try
        {
            if (!File.Exists(_record))
            {
                return [];
            }
            var changes = SystemChangeSet.ReadRecord(_record);
            var mount = changes.FindIndex(c => c.Kind == SystemChangeKind.Mount);
            if (mount < 0)
            {
                return [];
            }
            foreach (var other in Directory.GetFiles(_root.Resolve(RecordFolder), RecordPrefix + "*.json"))
            {
                var pid = Path.GetFileNameWithoutExtension(other)[RecordPrefix.Length..];
                if (other == _record || !int.TryParse(pid, NumberStyles.None, CultureInfo.InvariantCulture, out var id) || !Directory.Exists($"/proc/{id}")
                    || !_root.Exists($"{MountPoint}/instances/bitfuse-noise-{pid}"))
                {
                    continue;
                }
                var theirs = SystemChangeSet.ReadRecord(other);
                theirs.Insert(0, changes[mount]);
                SystemChangeSet.WriteRecord(other, theirs);
                changes.RemoveAt(mount);
                SystemChangeSet.WriteRecord(_record, changes);
                return [new PreparationStep($"hand /{MountPoint} to bitfuse run {pid}", true, "it still traces there and unmounts when it ends")];
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            return [new PreparationStep($"hand /{MountPoint} to another run", false, e.Message)];
        }
        return [];
    }

    private static IReadOnlyList<PreparationStep> Replay(string record, SystemRoot root)
    {
        if (!File.Exists(record))
        {
            return [];
        }
        try
        {
            // A signal can arrive while the setup still has a file of the instance open (rmdir: EBUSY): try a few times.
            var done = new List<PreparationStep>();
            IReadOnlyList<PreparationStep> steps = [];
            for (var attempt = 0; attempt < 10; attempt++)
            {
                var changes = SystemChangeSet.ReadRecord(record);
                steps = SystemChangeSet.Undo(record, root);
                done.AddRange(steps.Where(s => s.Done));
                // Undo walks the record newest first; keep what could not be undone for the next run.
                var left = changes.Where((_, i) => !steps[changes.Count - 1 - i].Done).ToList();
                if (left.Count == 0)
                {
                    File.Delete(record);
                    return done;
                }
                SystemChangeSet.WriteRecord(record, left);
                Thread.Sleep(20);
            }
            return [.. done, .. steps.Where(s => !s.Done)];
        }
        catch (InvalidDataException e)
        {
            return [new PreparationStep($"undo {record}", false, e.Message)];
        }
    }

    private IReadOnlyList<string> Configure(TimeSpan duration, IReadOnlyCollection<int> faultingThreads)
    {
        var clocks = _root.ReadText($"{_instance}/trace_clock") ?? "";
        if (!clocks.Split(' ', '[', ']', '\n').Contains(Clock))
        {
            throw new InvalidOperationException($"tracefs offers no {Clock} trace clock (it offers: {clocks.Trim()})");
        }
        _root.WriteText($"{_instance}/tracing_on", "0");
        _root.WriteText($"{_instance}/trace_clock", Clock);
        _root.WriteText($"{_instance}/tracing_cpumask", Cpus.ToMask());
        // About 25 bytes per event; a busy CPU logs some 10,000 to 50,000 a second. The newest events are kept.
        var kb = (long)Math.Clamp(Math.Ceiling(duration.TotalSeconds + 1) * 2048, 4096, 131072);
        foreach (var cpu in Cpus.ToArray())
        {
            _root.WriteText($"{_instance}/per_cpu/cpu{cpu}/buffer_size_kb", kb.ToString(CultureInfo.InvariantCulture));
        }
        var enabled = new List<string>();
        foreach (var e in Events)
        {
            if (e == "exceptions/page_fault_user")
            {
                // Every task's faults would flood the buffer on a busy CPU; only the measuring threads' matter.
                if (faultingThreads.Count == 0 || !_root.Exists($"{_instance}/events/{e}/filter"))
                {
                    continue;
                }
                _root.WriteText($"{_instance}/events/{e}/filter", string.Join(" || ", faultingThreads.Select(t => $"common_pid == {t.ToString(CultureInfo.InvariantCulture)}")));
            }
            if (_root.Exists($"{_instance}/events/{e}/enable"))
            {
                _root.WriteText($"{_instance}/events/{e}/enable", "1");
                enabled.Add(e.Replace('/', ':'));
            }
        }
        if (!enabled.Contains("sched:sched_switch") || !enabled.Contains("irq:irq_handler_entry"))
        {
            throw new InvalidOperationException($"tracefs lacks the events the attribution needs (sched:sched_switch, irq:irq_handler_entry); it has {string.Join(", ", enabled)}");
        }
        return enabled;
    }

    private long Stat(string path, string name)
    {
        foreach (var line in (_root.ReadText(path) ?? "").Split('\n'))
        {
            if (line.StartsWith(name + ":", StringComparison.Ordinal)
                && long.TryParse(line.AsSpan(name.Length + 1).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var value))
            {
                return value;
            }
        }
        return 0;
    }

    private void Trap()
    {
        foreach (var signal in TrapSignals)
        {
            // The handler does not cancel the signal: after the restore the process ends as it would have.
            _traps.Add(PosixSignalRegistration.Create(signal, _ => Restore()));
        }
        AppDomain.CurrentDomain.ProcessExit += OnExit;
        AppDomain.CurrentDomain.UnhandledException += OnCrash;
    }

    private void OnExit(object? sender, EventArgs e) => Restore();

    private void OnCrash(object? sender, UnhandledExceptionEventArgs e) => Restore();
}
