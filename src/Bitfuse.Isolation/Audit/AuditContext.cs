namespace Bitfuse.Isolation.Audit;

/// <summary>
/// What the checks read, loaded once per audit and only when a check asks: every read goes through
/// <see cref="Root"/>, so the same checks judge this machine and fixture trees.
/// </summary>
public sealed class AuditContext
{
    private readonly Lazy<IReadOnlyList<TaskInfo>> _processes;
    private readonly Lazy<InterruptTable> _interrupts;
    private readonly Lazy<IReadOnlySet<string>> _cpuFlags;
    private readonly Lazy<IReadOnlyList<CpuTimes>> _cpuTimes;
    private readonly Lazy<CgroupPartitions> _partitions;

    /// <summary>A context for auditing <paramref name="cpus"/> on the machine under <paramref name="root"/>.</summary>
    public AuditContext(SystemRoot root, CpuSet cpus, CpuTopology topology)
    {
        Root = root;
        Cpus = cpus;
        Topology = topology;
        CommandLine = new KernelCommandLine(root.ReadText("proc/cmdline") ?? "");
        KernelRelease = root.ReadText("proc/sys/kernel/osrelease");
        _processes = new(() => TaskInfo.ReadProcesses(root));
        _interrupts = new(() => InterruptTable.Read(root, "proc/interrupts"));
        _cpuFlags = new(() => ProcessorDescription.Read(root).Flags);
        _cpuTimes = new(() => Isolation.CpuTimes.Read(root));
        _partitions = new(() => CgroupPartitions.Read(root));
    }

    /// <summary>Where files are read from.</summary>
    public SystemRoot Root { get; }

    /// <summary>The CPUs being audited.</summary>
    public CpuSet Cpus { get; }

    /// <summary>The machine's CPUs.</summary>
    public CpuTopology Topology { get; }

    /// <summary>The boot command line (empty when unreadable).</summary>
    public KernelCommandLine CommandLine { get; }

    /// <summary>The kernel release (<c>6.18.44</c>), when known.</summary>
    public string? KernelRelease { get; }

    /// <summary>Every process, kernel threads included.</summary>
    public IReadOnlyList<TaskInfo> Processes => _processes.Value;

    /// <summary>The interrupt counters since boot.</summary>
    public InterruptTable Interrupts => _interrupts.Value;

    /// <summary>The flags of the first CPU in <c>/proc/cpuinfo</c> (empty when unreadable).</summary>
    public IReadOnlySet<string> CpuFlags => _cpuFlags.Value;

    /// <summary>The per-CPU lines of <c>/proc/stat</c>.</summary>
    public IReadOnlyList<CpuTimes> CpuTimes => _cpuTimes.Value;

    /// <summary>The cgroup-v2 cpuset partitions.</summary>
    public CgroupPartitions Partitions => _partitions.Value;

    /// <summary>The kernel version as (major, minor), or null.</summary>
    public (int Major, int Minor)? KernelVersion
    {
        get
        {
            if (KernelRelease is null)
            {
                return null;
            }
            var parts = KernelRelease.Split('.', '-');
            return parts.Length >= 2 && int.TryParse(parts[0], out var major) && int.TryParse(parts[1], out var minor) ? (major, minor) : null;
        }
    }
}
