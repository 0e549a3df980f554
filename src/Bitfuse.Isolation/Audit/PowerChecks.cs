using System.Globalization;

namespace Bitfuse.Isolation.Audit;

/// <summary>Checks of what the CPU does when idle or loaded: frequency governor, C-states, SMT siblings.</summary>
internal static class PowerChecks
{
    private const string Cpu = "sys/devices/system/cpu";

    public static IEnumerable<Finding> Governor(AuditContext c)
    {
        foreach (var cpu in c.Cpus.Cpus)
        {
            var governor = c.Root.ReadText($"{Cpu}/cpu{cpu}/cpufreq/scaling_governor");
            if (governor is null)
            {
                yield return Finding.CannotVerify($"CPU {cpu} has no cpufreq governor (a VM or a fixed-frequency CPU)", cpu);
            }
            else if (governor == "performance")
            {
                yield return Finding.Ok($"CPU {cpu} runs the performance governor", cpu);
            }
            else
            {
                yield return Finding.Warn($"CPU {cpu} runs the {governor} governor: frequency changes add latency", $"as root: cpupower -c {cpu} frequency-set -g performance", cpu);
            }
        }
    }

    public static IEnumerable<Finding> CStates(AuditContext c)
    {
        var idle = c.CommandLine.Get("idle");
        var driver = c.Root.ReadText($"{Cpu}/cpuidle/current_driver");
        foreach (var cpu in c.Cpus.Cpus)
        {
            if (idle == "poll")
            {
                yield return Finding.Ok($"idle=poll: CPU {cpu} never enters a C-state", cpu);
                continue;
            }
            if (driver is null or "none")
            {
                yield return Finding.CannotVerify($"no cpuidle driver: CPU {cpu} halts when idle as the platform (or hypervisor) decides", cpu);
                continue;
            }
            var deep = new List<string>();
            foreach (var state in c.Root.Directories($"{Cpu}/cpu{cpu}/cpuidle"))
            {
                var folder = $"{Cpu}/cpu{cpu}/cpuidle/{state}";
                var latency = c.Root.ReadInt64(folder + "/latency") ?? 0;
                var disabled = c.Root.ReadInt64(folder + "/disable") ?? 0;
                if (latency > 10 && disabled == 0)
                {
                    deep.Add(string.Create(CultureInfo.InvariantCulture, $"{c.Root.ReadText(folder + "/name") ?? state} ({latency} µs)"));
                }
            }
            yield return deep.Count == 0
                ? Finding.Ok($"CPU {cpu}: no C-state with exit latency above 10 µs is enabled ({driver})", cpu)
                : Finding.Warn($"CPU {cpu}: deep C-states enabled: {string.Join(", ", deep)}; waking from them adds that latency",
                    $"disable them: echo 1 > {Cpu}/cpu{cpu}/cpuidle/stateN/disable, or boot with processor.max_cstate=1 / idle=poll", cpu);
        }
    }

    public static IEnumerable<Finding> Smt(AuditContext c)
    {
        var active = c.Root.ReadInt64($"{Cpu}/smt/active");
        foreach (var cpu in c.Cpus.Cpus)
        {
            var info = c.Topology.Find(cpu);
            if (info is null)
            {
                yield return Finding.CannotVerify($"CPU {cpu} has no topology", cpu);
                continue;
            }
            var busy = info.Siblings.Except(CpuSet.Of(cpu)).Except(c.Cpus).Intersect(c.Topology.Online);
            if (busy.IsEmpty)
            {
                yield return Finding.Ok(active == 0 ? $"SMT is off; CPU {cpu} has its core to itself" : $"CPU {cpu} shares its core with no CPU outside the chosen set", cpu);
            }
            else
            {
                yield return Finding.Warn($"CPU {cpu} shares its core with CPU {busy}, which runs other work", $"take CPU {busy} offline or add it to the isolated set", cpu);
            }
        }
    }
}
