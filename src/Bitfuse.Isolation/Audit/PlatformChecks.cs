using System.Globalization;

namespace Bitfuse.Isolation.Audit;

/// <summary>Checks of the platform and of this process: CPUs online, clocksource and TSC, virtualisation and steal, memlock, allowed CPUs.</summary>
internal static class PlatformChecks
{
    public static IEnumerable<Finding> Online(AuditContext c)
    {
        foreach (var cpu in c.Cpus.Cpus)
        {
            yield return c.Topology.Online.Contains(cpu)
                ? Finding.Ok($"CPU {cpu} is online", cpu)
                : Finding.Fail($"CPU {cpu} is not online (online: {c.Topology.Online})", $"choose from {c.Topology.Online}", cpu);
        }
    }

    public static IEnumerable<Finding> Clocksource(AuditContext c)
    {
        var current = c.Root.ReadText("sys/devices/system/clocksource/clocksource0/current_clocksource");
        yield return current switch
        {
            null => Finding.CannotVerify("no clocksource file"),
            "tsc" => Finding.Ok("clocksource tsc: clock_gettime is a vDSO read of the TSC"),
            _ => Finding.Warn($"clocksource {current}: clock reads may be slow or trap to the hypervisor", "use the TSC if it is reliable (clocksource=tsc tsc=reliable)"),
        };
    }

    public static IEnumerable<Finding> Tsc(AuditContext c)
    {
        var flags = c.CpuFlags;
        if (flags.Count == 0)
        {
            yield return Finding.CannotVerify("proc/cpuinfo has no flags line");
            yield break;
        }
        var missing = new[] { "tsc", "constant_tsc", "nonstop_tsc" }.Where(f => !flags.Contains(f)).ToList();
        var extras = new[] { "tsc_known_freq", "tsc_reliable", "rdtscp" }.Where(flags.Contains).ToList();
        yield return missing.Count == 0
            ? Finding.Ok($"TSC is invariant (constant_tsc, nonstop_tsc{(extras.Count > 0 ? ", " + string.Join(", ", extras) : "")})")
            : Finding.Warn($"TSC lacks {string.Join(", ", missing)}: its rate may change with frequency or stop in deep C-states", "time with clock_gettime instead of rdtsc");
    }

    public static IEnumerable<Finding> Virtualization(AuditContext c)
    {
        if (c.CpuFlags.Count == 0)
        {
            yield return Finding.CannotVerify("proc/cpuinfo has no flags line");
        }
        else if (c.CpuFlags.Contains("hypervisor"))
        {
            yield return Finding.Warn("running under a hypervisor (hypervisor flag): the host can deschedule a vCPU at any time; watch steal time",
                "pin vCPUs to dedicated host cores and isolate them on the host too");
        }
        else
        {
            yield return Finding.Ok("bare metal (no hypervisor flag)");
        }
    }

    public static IEnumerable<Finding> Steal(AuditContext c)
    {
        var times = c.CpuTimes;
        foreach (var cpu in c.Cpus.Cpus)
        {
            var line = times.FirstOrDefault(t => t.Cpu == cpu);
            if (line is null)
            {
                yield return Finding.CannotVerify($"proc/stat has no line for CPU {cpu}", cpu);
            }
            else if (line.Steal == 0)
            {
                yield return Finding.Ok($"CPU {cpu}: no steal time since boot", cpu);
            }
            else
            {
                var seconds = (double)line.Steal / CpuTimes.TicksPerSecond;
                var share = line.Total > 0 ? 100.0 * line.Steal / line.Total : 0;
                yield return Finding.Warn(string.Create(CultureInfo.InvariantCulture, $"CPU {cpu}: {seconds:F2} s stolen by the hypervisor since boot ({share:F3} % of its time)"),
                    "ask for dedicated (pinned, not overcommitted) vCPUs", cpu);
            }
        }
    }

    public static IEnumerable<Finding> Memlock(AuditContext c)
    {
        var limits = c.Root.ReadText("proc/self/limits");
        var line = limits?.Split('\n').FirstOrDefault(l => l.StartsWith("Max locked memory", StringComparison.Ordinal));
        if (line is null)
        {
            yield return Finding.CannotVerify("proc/self/limits has no memlock line");
            yield break;
        }
        var fields = line["Max locked memory".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (HasCapability(c.Root, IpcLockCapability))
        {
            yield return Finding.Ok("this process has CAP_IPC_LOCK: mlockall ignores the memlock limit");
        }
        else if (fields.Length > 0 && fields[0] == "unlimited")
        {
            yield return Finding.Ok("memlock limit: unlimited (mlockall can lock the whole process)");
        }
        else
        {
            var bytes = fields.Length > 0 && long.TryParse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture, out var b) ? b : 0;
            yield return Finding.Warn(string.Create(CultureInfo.InvariantCulture, $"memlock limit {bytes / 1048576.0:F1} MiB: mlockall of a .NET process (hundreds of MiB mapped) fails; page faults stay possible"),
                "raise it: ulimit -l unlimited, LimitMEMLOCK=infinity, or run as root");
        }
    }

    private const int IpcLockCapability = 14;

    /// <summary>True when <c>CapEff</c> in <c>proc/self/status</c> holds capability <paramref name="bit"/>.</summary>
    private static bool HasCapability(SystemRoot root, int bit)
    {
        var line = root.ReadText("proc/self/status")?.Split('\n').FirstOrDefault(l => l.StartsWith("CapEff:", StringComparison.Ordinal));
        return line is not null
            && ulong.TryParse(line["CapEff:".Length..].Trim(), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var caps)
            && (caps & (1UL << bit)) != 0;
    }

    public static IEnumerable<Finding> ProcessAffinity(AuditContext c)
    {
        var self = TaskInfo.Read(c.Root, "proc/self");
        if (self?.AllowedCpus is not { } allowed)
        {
            yield return Finding.CannotVerify("proc/self/status has no Cpus_allowed_list");
            yield break;
        }
        var missing = c.Cpus.Except(allowed);
        yield return missing.IsEmpty
            ? Finding.Ok($"this process may run on CPUs {allowed}, which include CPUs {c.Cpus}")
            : Finding.Fail($"this process may run only on CPUs {allowed}: CPUs {missing} are not allowed", "start it with taskset -c LIST, or outside the restricting cgroup");
    }
}
