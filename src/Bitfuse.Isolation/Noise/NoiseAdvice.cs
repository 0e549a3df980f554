namespace Bitfuse.Isolation.Noise;

/// <summary>
/// What removes each cause of noise, tied to the isolation audit's checklist (<see cref="Audit.IsolationAudit.Checklist"/>)
/// so a report can show the audit's verdict beside the advice.
/// </summary>
public static class NoiseAdvice
{
    /// <summary>The advice for a cause and the audit checks that cover it.</summary>
    public static (string Text, IReadOnlyList<string> AuditChecks) For(NoiseCauseKind kind, string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return kind switch
        {
            NoiseCauseKind.Irq => ($"route {IrqNumber(name)} to housekeeping CPUs: echo HK > /proc/irq/{IrqNumber(name).Replace("IRQ ", "", StringComparison.Ordinal)}/smp_affinity_list, irqaffinity= at boot, or bitfuse isolation prepare --apply",
                ["irq.affinity", "irq.default_affinity", "boot.irqaffinity"]),
            NoiseCauseKind.Softirq => SoftirqAdvice(name),
            NoiseCauseKind.LocalTimer => ("the scheduler tick and hrtimers: nohz_full= (with isolcpus=) stops the tick while one task runs; keep timer_migration on so timers leave the CPU",
                ["boot.nohz_full", "cpu.nohz_full", "kernel.timer_migration"]),
            NoiseCauseKind.Ipi when name.StartsWith("reschedule", StringComparison.Ordinal) => ("a wake-up sent from another CPU: keep other tasks off the CPU (isolcpus=, an isolated cpuset partition) so nothing is woken or balanced here",
                ["boot.isolcpus", "cgroup.partition", "process.affinity"]),
            NoiseCauseKind.Ipi when name.StartsWith("function-call", StringComparison.Ordinal) => ("cross-CPU function calls (TLB shootdowns, membarrier, the runtime's process-wide barrier): no other thread of the process changing mappings or suspending threads while the pinned one runs; nohz_full= defers some",
                ["boot.nohz_full", "process.affinity"]),
            NoiseCauseKind.Ipi => ("an interrupt vector sent to the CPU (irq_work from perf or tracing, APIC events): no perf events or tracers on the CPU; nohz_full=",
                ["boot.nohz_full"]),
            NoiseCauseKind.Task => TaskAdvice(name),
            NoiseCauseKind.ProcessThread => ("another thread of this process ran here: pin the process's other threads to housekeeping CPUs (new threads inherit the main thread's mask, not their creator's)",
                ["process.affinity"]),
            NoiseCauseKind.Gc => ("a GC stopped every managed thread: allocate nothing while pinned, GCSettings.LatencyMode = GCLatencyMode.SustainedLowLatency, or GC.TryStartNoGCRegion around the critical section",
                []),
            NoiseCauseKind.RuntimeSuspension => ("the runtime suspended every managed thread for something other than a GC (debugger, profiler, rejit): detach it, or DOTNET_EnableDiagnostics=0",
                []),
            NoiseCauseKind.Jit => ("the JIT took the CPU: [MethodImpl(MethodImplOptions.AggressiveOptimization)] on hot loops, ReadyToRun, or DOTNET_TieredCompilation=0 / DOTNET_TieredPGO=0; keep the tiered-compilation worker off the CPU",
                ["process.affinity"]),
            NoiseCauseKind.ThreadPool => ("thread-pool injection: ThreadPool.SetMinThreads up front so workers exist before the pinned work starts, and keep them off the isolated CPUs",
                ["process.affinity"]),
            NoiseCauseKind.PageFault => ("the measuring thread faulted: mlockall (--mlock) and touch buffers and stack before the critical section",
                ["process.memlock", "mm.thp"]),
            NoiseCauseKind.Blocked => ("the measuring thread waited on something (a lock, a signal, the runtime): nothing the pinned thread calls may block",
                []),
            _ => ("nothing was recorded inside the gap: on a VM the hypervisor running something else (steal time, a host interrupt); on bare metal an SMI or an untraced exception",
                ["platform.virtualization", "platform.steal"]),
        };
    }

    private static string IrqNumber(string name)
    {
        var space = name.IndexOf(' ', 4);
        return space < 0 ? name : name[..space];
    }

    private static (string, IReadOnlyList<string>) SoftirqAdvice(string name) => name["softirq ".Length..] switch
    {
        "TIMER" or "HRTIMER" => ("timer softirqs: nohz_full= stops the tick; timer_migration and moving the tasks that arm timers take the timers elsewhere",
            ["boot.nohz_full", "kernel.timer_migration"]),
        "RCU" => ("RCU callbacks: rcu_nocbs= (implied by nohz_full=) moves them to rcuo threads on housekeeping CPUs",
            ["boot.rcu_nocbs", "kthread.rcuo"]),
        "NET_RX" or "NET_TX" => ("network processing: move the NIC's IRQs and RPS/XPS off the CPU",
            ["irq.affinity"]),
        "BLOCK" or "IRQ_POLL" => ("block I/O completions: move the disk's IRQs off the CPU",
            ["irq.affinity"]),
        "SCHED" => ("scheduler load balancing: isolcpus= or an isolated cpuset partition takes the CPU out of balancing",
            ["boot.isolcpus", "cgroup.partition"]),
        _ => ("deferred interrupt work: move the device IRQs that raise it off the CPU",
            ["irq.affinity"]),
    };

    private static (string, IReadOnlyList<string>) TaskAdvice(string name)
    {
        if (name.StartsWith("kworker", StringComparison.Ordinal))
        {
            return ("a workqueue worker: the unbound workqueue mask to housekeeping CPUs; per-CPU work (vmstat_update: vm.stat_interval) needs nohz_full= to be deferred",
                ["workqueue.cpumask", "kernel.vmstat_interval", "boot.nohz_full"]);
        }
        if (name.StartsWith("rcu", StringComparison.Ordinal))
        {
            return ("an RCU kernel thread: rcu_nocbs= and moving the rcuo threads to housekeeping CPUs", ["boot.rcu_nocbs", "kthread.rcuo"]);
        }
        if (name.StartsWith("ksoftirqd", StringComparison.Ordinal))
        {
            return ("softirqs deferred to ksoftirqd: move the IRQs that raise them off the CPU", ["irq.affinity"]);
        }
        if (name.StartsWith("migration", StringComparison.Ordinal) || name.StartsWith("cpuhp", StringComparison.Ordinal) || name.StartsWith("watchdog", StringComparison.Ordinal))
        {
            return ("a per-CPU kernel thread that cannot move: isolcpus=/nohz_full= and turning off the watchdogs keep it asleep", ["kthread.unmovable", "kernel.watchdog"]);
        }
        return ("another task ran here: move it (taskset, a cpuset), or keep everything else off the CPU with isolcpus= or an isolated cpuset partition; movable kernel threads: bitfuse isolation prepare --apply",
            ["boot.isolcpus", "cgroup.partition", "kthread.movable"]);
    }
}
