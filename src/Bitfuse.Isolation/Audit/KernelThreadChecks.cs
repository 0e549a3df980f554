namespace Bitfuse.Isolation.Audit;

/// <summary>Checks of kernel threads on the chosen CPUs: RCU offload threads, movable threads, and threads that cannot move.</summary>
internal static class KernelThreadChecks
{
    public static IEnumerable<Finding> RcuThreads(AuditContext c)
    {
        if (c.Processes.Count == 0)
        {
            yield return Finding.CannotVerify("proc holds no processes");
            yield break;
        }
        var rcuo = c.Processes.Where(t => t.IsKernelThread && t.Name.StartsWith("rcuo", StringComparison.Ordinal)).ToList();
        var offloaded = (c.CommandLine.RcuNocbs ?? CpuSet.Empty).Union(c.CommandLine.NohzFull ?? CpuSet.Empty);
        if (rcuo.Count == 0)
        {
            yield return c.Cpus.IsSubsetOf(offloaded) && !c.Cpus.IsEmpty
                ? Finding.Warn($"rcu_nocbs covers CPUs {c.Cpus} but no rcuo threads exist", "check that the kernel has CONFIG_RCU_NOCB_CPU")
                : Finding.Warn($"no rcuo threads: RCU callbacks of CPUs {c.Cpus} run on those CPUs", $"boot with rcu_nocbs={c.Cpus}");
            yield break;
        }
        var onChosen = rcuo.Where(t => t.AllowedCpus is { } a && a.Overlaps(c.Cpus)).ToList();
        yield return onChosen.Count == 0
            ? Finding.Ok($"{rcuo.Count} rcuo threads run off CPUs {c.Cpus}")
            : Finding.Warn($"{onChosen.Count} rcuo threads may run on CPUs {c.Cpus}: {Names(onChosen)}",
                $"move them to housekeeping CPUs: taskset -pc {c.Topology.Housekeeping} PID");
    }

    public static IEnumerable<Finding> Movable(AuditContext c)
    {
        if (c.Processes.Count == 0)
        {
            yield return Finding.CannotVerify("proc holds no processes");
            yield break;
        }
        var movable = c.Processes.Where(t => t.IsKernelThread && t.CanMove && t.Id != 2 && t.AllowedCpus is { } a && a.Overlaps(c.Cpus)).ToList();
        yield return movable.Count == 0
            ? Finding.Ok($"no movable kernel thread may run on CPUs {c.Cpus}")
            : Finding.Warn($"{movable.Count} movable kernel threads may run on CPUs {c.Cpus}: {Names(movable)}",
                $"as root: taskset -pc {c.Topology.Online.Except(c.Cpus)} PID, or bitfuse isolation prepare --apply");
    }

    public static IEnumerable<Finding> Unmovable(AuditContext c)
    {
        if (c.Processes.Count == 0)
        {
            yield return Finding.CannotVerify("proc holds no processes");
            yield break;
        }
        var perCpu = new List<TaskInfo>();
        var spanning = new List<TaskInfo>();
        foreach (var t in c.Processes)
        {
            if (!t.IsKernelThread || t.CanMove || t.AllowedCpus is not { } allowed || !allowed.Overlaps(c.Cpus))
            {
                continue;
            }
            (allowed.Count == 1 ? perCpu : spanning).Add(t);
        }
        if (spanning.Count > 0)
        {
            yield return Finding.Warn($"{spanning.Count} unbound kernel threads that user space cannot move may run on CPUs {c.Cpus}: {Names(spanning)}",
                "these follow the workqueue cpumask and isolcpus=domain; set those");
        }
        else
        {
            yield return Finding.Ok($"{perCpu.Count} per-CPU kernel threads are bound to CPUs {c.Cpus} and cannot move ({Names(perCpu)}); they run only when the kernel needs that CPU");
        }
    }

    private static string Names(List<TaskInfo> tasks)
    {
        var names = tasks.Select(t => t.Name).Distinct(StringComparer.Ordinal).Take(6).ToList();
        var more = tasks.Count - names.Count;
        return string.Join(", ", names) + (more > 0 ? $", and {more} more" : "");
    }
}
