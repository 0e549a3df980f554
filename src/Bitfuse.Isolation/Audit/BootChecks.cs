namespace Bitfuse.Isolation.Audit;

/// <summary>Checks of the boot command line and of what the kernel made of it (<c>isolated</c>, <c>nohz_full</c>, housekeeping, partitions).</summary>
internal static class BootChecks
{
    public static IEnumerable<Finding> IsolCpus(AuditContext c)
    {
        var isol = c.CommandLine.IsolCpus;
        var flags = string.Join(',', c.CommandLine.IsolCpusFlags);
        if (isol is null)
        {
            var partitioned = c.Partitions.IsolatedCpus;
            if (!c.Cpus.IsEmpty && c.Cpus.IsSubsetOf(partitioned))
            {
                yield return Finding.Ok($"no isolcpus= on the command line; isolated cpuset partitions cover CPUs {c.Cpus}");
                yield break;
            }
            yield return Finding.Fail($"no isolcpus= on the command line: the scheduler balances other tasks onto CPUs {c.Cpus}",
                $"boot with isolcpus=domain,managed_irq,{c.Cpus} or put CPUs {c.Cpus} in an isolated cpuset partition");
            yield break;
        }
        var missing = c.Cpus.Except(isol);
        if (missing.IsEmpty)
        {
            yield return Finding.Ok($"isolcpus={c.CommandLine.Get("isolcpus")} covers CPUs {c.Cpus} (flags {flags})");
        }
        else
        {
            yield return Finding.Warn($"isolcpus={c.CommandLine.Get("isolcpus")} leaves out CPUs {missing}", $"add CPUs {missing} to isolcpus=");
        }
    }

    public static IEnumerable<Finding> NohzFull(AuditContext c)
    {
        var nohz = c.CommandLine.NohzFull;
        if (nohz is null)
        {
            yield return Finding.Fail($"no nohz_full= on the command line: the scheduler tick interrupts CPUs {c.Cpus} even when one task runs",
                $"boot with nohz_full={c.Cpus} (a kernel built with CONFIG_NO_HZ_FULL)");
            yield break;
        }
        var missing = c.Cpus.Except(nohz);
        yield return missing.IsEmpty
            ? Finding.Ok($"nohz_full={nohz} covers CPUs {c.Cpus}")
            : Finding.Warn($"nohz_full={nohz} leaves out CPUs {missing}: they keep the tick", $"add CPUs {missing} to nohz_full=");
    }

    public static IEnumerable<Finding> RcuNocbs(AuditContext c)
    {
        var nocbs = c.CommandLine.RcuNocbs;
        var nohz = c.CommandLine.NohzFull ?? CpuSet.Empty;
        var offloaded = (nocbs ?? CpuSet.Empty).Union(nohz);
        var missing = c.Cpus.Except(offloaded);
        if (missing.IsEmpty)
        {
            var source = nocbs is null ? $"nohz_full={nohz} (which implies rcu_nocbs)" : $"rcu_nocbs={nocbs}";
            yield return Finding.Ok($"RCU callbacks of CPUs {c.Cpus} are offloaded by {source}");
        }
        else
        {
            yield return Finding.Warn($"RCU callbacks run on CPUs {missing} in softirq context (no rcu_nocbs= or nohz_full= for them)",
                $"boot with rcu_nocbs={c.Cpus}");
        }
    }

    public static IEnumerable<Finding> IrqAffinityParameter(AuditContext c)
    {
        var irq = c.CommandLine.IrqAffinity;
        if (irq is null)
        {
            yield return Finding.Warn("no irqaffinity= on the command line: new interrupts may be routed to any CPU",
                $"boot with irqaffinity={c.Topology.Online.Except(c.Cpus)}");
        }
        else if (irq.Overlaps(c.Cpus))
        {
            yield return Finding.Fail($"irqaffinity={irq} includes CPUs {irq.Intersect(c.Cpus)}", $"boot with irqaffinity={c.Topology.Online.Except(c.Cpus)}");
        }
        else
        {
            yield return Finding.Ok($"irqaffinity={irq} keeps new interrupts off CPUs {c.Cpus}");
        }
    }

    public static IEnumerable<Finding> IsolatedFile(AuditContext c)
    {
        var text = c.Root.ReadText("sys/devices/system/cpu/isolated");
        if (text is null)
        {
            yield return Finding.CannotVerify("sys/devices/system/cpu/isolated is missing");
            yield break;
        }
        var isolated = c.Topology.Isolated;
        var missing = c.Cpus.Except(isolated);
        yield return missing.IsEmpty
            ? Finding.Ok($"the kernel reports CPUs {isolated} isolated")
            : Finding.Fail($"the kernel reports {(isolated.IsEmpty ? "no isolated CPUs" : $"isolated CPUs {isolated}")}; CPUs {missing} are not isolated",
                "isolate them with isolcpus= or an isolated cpuset partition");
    }

    public static IEnumerable<Finding> NohzFullFile(AuditContext c)
    {
        var nohz = c.Topology.NohzFull;
        if (nohz is null)
        {
            yield return Finding.Fail("sys/devices/system/cpu/nohz_full is missing: this kernel was built without CONFIG_NO_HZ_FULL, every CPU keeps its tick",
                "use a kernel built with CONFIG_NO_HZ_FULL=y");
            yield break;
        }
        var missing = c.Cpus.Except(nohz);
        yield return missing.IsEmpty
            ? Finding.Ok($"the kernel runs CPUs {nohz} tickless")
            : Finding.Fail($"the kernel's nohz_full set is {(nohz.IsEmpty ? "empty" : nohz.ToString())}; CPUs {missing} keep the tick", $"boot with nohz_full={c.Cpus}");
    }

    public static IEnumerable<Finding> Housekeeping(AuditContext c)
    {
        var housekeeping = c.Topology.Housekeeping;
        if (housekeeping.IsEmpty)
        {
            yield return Finding.Fail("no housekeeping CPU is left: every online CPU is isolated or tickless", "leave at least one CPU (per NUMA node) for the kernel");
        }
        else if (housekeeping.Overlaps(c.Cpus))
        {
            yield return Finding.Warn($"CPUs {housekeeping.Intersect(c.Cpus)} are housekeeping CPUs (housekeeping: {housekeeping}): unbound kernel work runs there",
                "choose isolated CPUs, or isolate these");
        }
        else
        {
            yield return Finding.Ok($"housekeeping CPUs {housekeeping} carry the kernel's unbound work");
        }
    }

    public static IEnumerable<Finding> CgroupPartition(AuditContext c)
    {
        var p = c.Partitions;
        if (p.Mount is null)
        {
            yield return Finding.CannotVerify("no cgroup v2 hierarchy is mounted");
            yield break;
        }
        if (!p.HasCpuset)
        {
            yield return Finding.CannotVerify($"the cgroup v2 hierarchy at /{p.Mount} has no cpuset controller{(p.CpusetOnV1 ? " (cpuset is bound to cgroup v1)" : "")}");
            yield break;
        }
        var covered = p.IsolatedCpus;
        if (!c.Cpus.IsEmpty && c.Cpus.IsSubsetOf(covered))
        {
            var names = string.Join(", ", p.Isolated.Select(x => $"{x.Path} ({x.Cpus})"));
            yield return Finding.Ok($"isolated partitions {names} cover CPUs {c.Cpus}");
        }
        else if (c.CommandLine.IsolCpus is { } isol && c.Cpus.IsSubsetOf(isol))
        {
            yield return Finding.Ok($"no isolated partition holds CPUs {c.Cpus}; not needed, isolcpus= covers them");
        }
        else
        {
            yield return Finding.Warn($"no isolated cpuset partition holds CPUs {c.Cpus.Except(covered)}",
                "create one: mkdir /sys/fs/cgroup/isolated; echo CPUS > cpuset.cpus; echo isolated > cpuset.cpus.partition (kernel 6.1+)");
        }
    }
}
