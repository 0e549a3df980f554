namespace Bitfuse.Isolation.Audit;

/// <summary>
/// The isolation checklist and its runner. The list is data: each <see cref="AuditCheck"/> names what it
/// looks at and judges from files read through a <see cref="SystemRoot"/>, never from the running process,
/// so a fixture tree of another machine gets the same verdicts that machine would.
/// </summary>
public static class IsolationAudit
{
    /// <summary>Every check, in the order reports list them.</summary>
    public static IReadOnlyList<AuditCheck> Checklist { get; } =
    [
        new("cpu.online", "chosen CPUs are online", PlatformChecks.Online),
        new("boot.isolcpus", "isolcpus= on the boot command line", BootChecks.IsolCpus),
        new("boot.nohz_full", "nohz_full= on the boot command line", BootChecks.NohzFull),
        new("boot.rcu_nocbs", "RCU callbacks offloaded (rcu_nocbs=)", BootChecks.RcuNocbs),
        new("boot.irqaffinity", "irqaffinity= on the boot command line", BootChecks.IrqAffinityParameter),
        new("cpu.isolated", "kernel's isolated CPUs", BootChecks.IsolatedFile),
        new("cpu.nohz_full", "kernel's tickless CPUs", BootChecks.NohzFullFile),
        new("cpu.housekeeping", "housekeeping CPUs", BootChecks.Housekeeping),
        new("cgroup.partition", "cgroup-v2 isolated cpuset partition", BootChecks.CgroupPartition),
        new("kthread.rcuo", "RCU offload threads (rcuo)", KernelThreadChecks.RcuThreads),
        new("irq.affinity", "IRQ affinities", InterruptChecks.Affinities),
        new("irq.default_affinity", "default IRQ affinity mask", InterruptChecks.DefaultAffinity),
        new("irq.counters", "device interrupts since boot", InterruptChecks.Counters),
        new("workqueue.cpumask", "unbound workqueue mask", InterruptChecks.WorkqueueMask),
        new("kthread.movable", "movable kernel threads", KernelThreadChecks.Movable),
        new("kthread.unmovable", "kernel threads that cannot move (PF_NO_SETAFFINITY)", KernelThreadChecks.Unmovable),
        new("power.governor", "cpufreq governor", PowerChecks.Governor),
        new("power.cstates", "idle states (C-states)", PowerChecks.CStates),
        new("cpu.smt", "SMT siblings", PowerChecks.Smt),
        new("kernel.timer_migration", "timer migration", KernelSettingChecks.TimerMigration),
        new("kernel.rt_throttling", "RT throttling", KernelSettingChecks.RtThrottling),
        new("kernel.fair_server", "deadline fair server (6.12+)", KernelSettingChecks.FairServer),
        new("kernel.vmstat_interval", "vmstat interval", KernelSettingChecks.VmstatInterval),
        new("mm.thp", "transparent huge pages", KernelSettingChecks.TransparentHugePages),
        new("kernel.watchdog", "watchdogs", KernelSettingChecks.Watchdogs),
        new("clock.source", "clocksource", PlatformChecks.Clocksource),
        new("clock.tsc", "TSC flags", PlatformChecks.Tsc),
        new("platform.virtualization", "virtualisation", PlatformChecks.Virtualization),
        new("platform.steal", "steal time", PlatformChecks.Steal),
        new("process.memlock", "memlock limit", PlatformChecks.Memlock),
        new("process.affinity", "CPUs this process may use", PlatformChecks.ProcessAffinity),
    ];

    /// <summary>
    /// The CPUs to audit when none are given: the isolated CPUs, else the tickless ones, else every online
    /// CPU but the first (CPU 0 carries the most kernel work), else CPU 0.
    /// </summary>
    public static (CpuSet Cpus, string Reason) DefaultCpus(CpuTopology topology)
    {
        if (!topology.Isolated.IsEmpty)
        {
            return (topology.Isolated, "the isolated CPUs");
        }
        if (topology.NohzFull is { IsEmpty: false } nohz)
        {
            return (nohz, "the nohz_full CPUs");
        }
        if (topology.Online.Count > 1)
        {
            return (topology.Online.Except(CpuSet.Of(topology.Online.Min)), $"no isolated CPUs: every online CPU but CPU {topology.Online.Min}");
        }
        return (topology.Online, "no isolated CPUs: the only online CPU");
    }

    /// <summary>Audits <paramref name="cpus"/> (or <see cref="DefaultCpus"/> when null) on the machine under <paramref name="root"/>.</summary>
    public static AuditReport Run(SystemRoot root, CpuSet? cpus = null)
    {
        var topology = CpuTopology.Read(root);
        var (chosen, reason) = cpus is null ? DefaultCpus(topology) : (cpus, "given");
        var context = new AuditContext(root, chosen, topology);
        var items = new List<AuditItem>();
        foreach (var check in Checklist)
        {
            foreach (var finding in check.Evaluate(context))
            {
                items.Add(new AuditItem(check.Id, check.Title, finding.Verdict, finding.Reason, finding.Hint, finding.Cpu));
            }
        }
        return new AuditReport(root.Path, chosen, reason, context.KernelRelease, items);
    }
}
