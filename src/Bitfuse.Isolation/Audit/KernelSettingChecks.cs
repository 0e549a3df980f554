namespace Bitfuse.Isolation.Audit;

/// <summary>Checks of kernel settings that add periodic work: timer migration, RT throttling and the fair server, vmstat, THP, watchdogs.</summary>
internal static class KernelSettingChecks
{
    public static IEnumerable<Finding> TimerMigration(AuditContext c)
    {
        var value = c.Root.ReadInt64("proc/sys/kernel/timer_migration");
        yield return value switch
        {
            null => Finding.CannotVerify("proc/sys/kernel/timer_migration is missing"),
            0 => Finding.Warn("timer_migration=0: timers stay on the CPU that armed them", "sysctl kernel.timer_migration=1"),
            _ => Finding.Ok("timer_migration=1: timers may move off idle and isolated CPUs"),
        };
    }

    public static IEnumerable<Finding> RtThrottling(AuditContext c)
    {
        var runtime = c.Root.ReadInt64("proc/sys/kernel/sched_rt_runtime_us");
        var period = c.Root.ReadInt64("proc/sys/kernel/sched_rt_period_us");
        if (runtime is null)
        {
            yield return Finding.CannotVerify("proc/sys/kernel/sched_rt_runtime_us is missing");
        }
        else if (runtime < 0)
        {
            yield return Finding.Ok("RT throttling is off (sched_rt_runtime_us=-1): a SCHED_FIFO spinner keeps its CPU");
        }
        else
        {
            yield return Finding.Warn($"RT throttling: SCHED_FIFO threads get {runtime} of every {period} µs; the rest goes to other tasks",
                "sysctl kernel.sched_rt_runtime_us=-1 (only on CPUs where nothing else must run)");
        }
    }

    public static IEnumerable<Finding> FairServer(AuditContext c)
    {
        if (c.KernelVersion is { } v && (v.Major < 6 || (v.Major == 6 && v.Minor < 12)))
        {
            yield return Finding.Ok($"kernel {c.KernelRelease} predates the deadline fair server (6.12)");
            yield break;
        }
        const string folder = "sys/kernel/debug/sched/fair_server";
        if (!c.Root.Exists(folder))
        {
            yield return Finding.CannotVerify($"kernel {c.KernelRelease ?? "unknown"}: the fair server reserves time for fair tasks on every CPU; debugfs (sys/kernel/debug/sched/fair_server) is not readable here");
            yield break;
        }
        foreach (var cpu in c.Cpus.Cpus)
        {
            var runtime = c.Root.ReadInt64($"{folder}/cpu{cpu}/runtime");
            if (runtime is null)
            {
                yield return Finding.CannotVerify($"no fair server runtime for CPU {cpu}", cpu);
            }
            else if (runtime == 0)
            {
                yield return Finding.Ok($"the fair server of CPU {cpu} is off", cpu);
            }
            else
            {
                yield return Finding.Warn($"the fair server of CPU {cpu} may preempt a SCHED_FIFO spinner for {runtime / 1000} µs per period",
                    $"as root: echo 0 > /{folder}/cpu{cpu}/runtime", cpu);
            }
        }
    }

    public static IEnumerable<Finding> VmstatInterval(AuditContext c)
    {
        var seconds = c.Root.ReadInt64("proc/sys/vm/stat_interval");
        yield return seconds switch
        {
            null => Finding.CannotVerify("proc/sys/vm/stat_interval is missing"),
            < 10 => Finding.Warn($"vm.stat_interval={seconds}: per-CPU vmstat work runs every {seconds} s", "sysctl vm.stat_interval=10"),
            _ => Finding.Ok($"vm.stat_interval={seconds}"),
        };
    }

    public static IEnumerable<Finding> TransparentHugePages(AuditContext c)
    {
        var text = c.Root.ReadText("sys/kernel/mm/transparent_hugepage/enabled");
        if (text is null)
        {
            yield return Finding.CannotVerify("sys/kernel/mm/transparent_hugepage/enabled is missing");
        }
        else if (text.Contains("[always]", StringComparison.Ordinal))
        {
            yield return Finding.Warn("transparent huge pages: always (khugepaged and compaction can stall any thread)", "echo madvise > /sys/kernel/mm/transparent_hugepage/enabled");
        }
        else
        {
            yield return Finding.Ok($"transparent huge pages: {Selected(text)}");
        }
    }

    public static IEnumerable<Finding> Watchdogs(AuditContext c)
    {
        var nmi = c.Root.ReadInt64("proc/sys/kernel/nmi_watchdog");
        var soft = c.Root.ReadInt64("proc/sys/kernel/watchdog");
        var mask = c.Root.ReadCpuList("proc/sys/kernel/watchdog_cpumask");
        if (nmi is null && soft is null)
        {
            yield return Finding.CannotVerify("proc/sys/kernel/watchdog and nmi_watchdog are missing");
            yield break;
        }
        var problems = new List<string>();
        if (nmi == 1)
        {
            problems.Add("the NMI watchdog sends periodic NMIs to every CPU");
        }
        if (soft != 0 && mask is not null && mask.Overlaps(c.Cpus))
        {
            problems.Add($"the soft lockup watchdog runs on CPUs {mask.Intersect(c.Cpus)} (watchdog_cpumask {mask})");
        }
        yield return problems.Count == 0
            ? Finding.Ok($"no watchdog runs on CPUs {c.Cpus} (nmi_watchdog={nmi?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-"}, watchdog={soft?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-"})")
            : Finding.Warn(string.Join("; ", problems), $"sysctl kernel.nmi_watchdog=0; sysctl kernel.watchdog_cpumask={c.Topology.Online.Except(c.Cpus)}");
    }

    private static string Selected(string text)
    {
        var open = text.IndexOf('[', StringComparison.Ordinal);
        var close = text.IndexOf(']', StringComparison.Ordinal);
        return open >= 0 && close > open ? text[(open + 1)..close] : text;
    }
}
