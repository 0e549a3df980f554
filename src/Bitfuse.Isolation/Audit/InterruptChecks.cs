namespace Bitfuse.Isolation.Audit;

/// <summary>Checks of interrupt routing: each IRQ's affinity, the default mask, and the counters since boot.</summary>
internal static class InterruptChecks
{
    public static IEnumerable<Finding> Affinities(AuditContext c)
    {
        var irqs = c.Root.Directories("proc/irq").Where(n => n.Length > 0 && char.IsAsciiDigit(n[0])).ToList();
        if (irqs.Count == 0)
        {
            yield return Finding.CannotVerify("proc/irq holds no interrupts");
            yield break;
        }
        var offending = new List<string>();
        foreach (var irq in irqs)
        {
            var affinity = c.Root.ReadCpuList($"proc/irq/{irq}/effective_affinity_list") ?? c.Root.ReadCpuList($"proc/irq/{irq}/smp_affinity_list");
            if (affinity is not null && affinity.Overlaps(c.Cpus))
            {
                var description = DescriptionOf(c, irq);
                offending.Add(description.Length == 0 ? irq : $"{irq} ({description})");
            }
        }
        if (offending.Count == 0)
        {
            yield return Finding.Ok($"none of {irqs.Count} IRQs may fire on CPUs {c.Cpus}");
        }
        else
        {
            var shown = string.Join(", ", offending.Take(6)) + (offending.Count > 6 ? $", and {offending.Count - 6} more" : "");
            yield return Finding.Fail($"{offending.Count} of {irqs.Count} IRQs may fire on CPUs {c.Cpus}: {shown}",
                $"as root: echo {c.Topology.Online.Except(c.Cpus)} > /proc/irq/N/smp_affinity_list, or bitfuse isolation prepare --apply");
        }
    }

    private static string DescriptionOf(AuditContext c, string irq)
    {
        foreach (var row in c.Interrupts.Rows)
        {
            if (row.Name == irq)
            {
                var parts = row.Description.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                return parts.Length > 0 ? parts[^1] : "";
            }
        }
        return "";
    }

    public static IEnumerable<Finding> DefaultAffinity(AuditContext c)
    {
        yield return MaskLeavesOut(c, "proc/irq/default_smp_affinity",
            mask => $"the default IRQ mask {mask.ToMask()} (CPUs {mask}) includes CPUs {mask.Intersect(c.Cpus)}: new interrupts may land there",
            mask => $"the default IRQ mask {mask.ToMask()} (CPUs {mask}) excludes CPUs {c.Cpus}");
    }

    public static IEnumerable<Finding> Counters(AuditContext c)
    {
        var table = c.Interrupts;
        if (table.Cpus.Count == 0)
        {
            yield return Finding.CannotVerify("proc/interrupts is missing or unreadable");
            yield break;
        }
        foreach (var cpu in c.Cpus.Cpus)
        {
            var column = table.IndexOfCpu(cpu);
            if (column < 0)
            {
                yield return Finding.CannotVerify($"proc/interrupts has no column for CPU {cpu}", cpu);
                continue;
            }
            var devices = new List<(string Name, long Count)>();
            foreach (var row in table.Rows)
            {
                if (row.IsDevice && column < row.Counts.Length && row.Counts[column] > 0)
                {
                    var parts = row.Description.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                    devices.Add(($"{row.Name} {(parts.Length > 0 ? parts[^1] : "")}".Trim(), row.Counts[column]));
                }
            }
            var local = table.Count("LOC", cpu);
            if (devices.Count == 0)
            {
                yield return Finding.Ok($"no device interrupt has fired on CPU {cpu} since boot (local timer: {local})", cpu);
            }
            else
            {
                devices.Sort((a, b) => b.Count.CompareTo(a.Count));
                var shown = string.Join(", ", devices.Take(3).Select(d => $"{d.Name}: {d.Count}"));
                yield return Finding.Warn($"{devices.Count} device interrupts have fired on CPU {cpu} since boot ({shown}); local timer: {local}",
                    "route them elsewhere (irq.affinity)", cpu);
            }
        }
    }

    public static IEnumerable<Finding> WorkqueueMask(AuditContext c)
    {
        yield return MaskLeavesOut(c, "sys/devices/virtual/workqueue/cpumask",
            mask => $"unbound workqueues may run on CPUs {mask.Intersect(c.Cpus)} (mask {mask.ToMask()})",
            mask => $"unbound workqueues are kept on CPUs {mask} (mask {mask.ToMask()})");
    }

    /// <summary>
    /// The finding for a CPU mask file that should leave the chosen CPUs out: cannot verify when it is missing, a
    /// warning (<paramref name="overlapping"/>) with the echo that fixes it when it holds one of them, else ok
    /// (<paramref name="clear"/>).
    /// </summary>
    private static Finding MaskLeavesOut(AuditContext c, string file, Func<CpuSet, string> overlapping, Func<CpuSet, string> clear)
    {
        var mask = c.Root.ReadCpuMask(file);
        if (mask is null)
        {
            return Finding.CannotVerify($"{file} is missing");
        }
        return mask.Overlaps(c.Cpus)
            ? Finding.Warn(overlapping(mask), $"as root: echo {c.Topology.Online.Except(c.Cpus).ToMask()} > /{file}")
            : Finding.Ok(clear(mask));
    }
}
