using Bitfuse.Isolation.Audit;

namespace Bitfuse.Isolation.SystemChanges;

/// <summary>
/// The machine-wide changes that move work off CPUs to isolate: IRQ affinities, the default IRQ mask, the
/// unbound workqueue mask, movable kernel threads, and optionally a cgroup-v2 isolated partition. Building a
/// plan only reads; <see cref="SystemChangeSet.Apply(SystemPlan, SystemRoot, string, Func{int, CpuSet, string?}?)"/> writes.
/// </summary>
/// <param name="Cpus">The CPUs to isolate.</param>
/// <param name="Housekeeping">Where the work goes.</param>
/// <param name="Changes">The changes in the order they are applied.</param>
/// <param name="Skipped">What the plan leaves out and why.</param>
public sealed record SystemPlan(CpuSet Cpus, CpuSet Housekeeping, IReadOnlyList<SystemChange> Changes, IReadOnlyList<string> Skipped)
{
    /// <summary>The name of the cgroup a partition plan creates under the v2 mount.</summary>
    public const string PartitionName = "bitfuse-isolated";

    /// <summary>Plans the changes that isolate <paramref name="cpus"/> on the machine under <paramref name="root"/>.</summary>
    /// <exception cref="ArgumentException">The CPUs are not online, or no housekeeping CPU would be left.</exception>
    public static SystemPlan Build(SystemRoot root, CpuSet cpus, bool partition = false)
    {
        var topology = CpuTopology.Read(root);
        if (cpus.IsEmpty || !cpus.IsSubsetOf(topology.Online))
        {
            throw new ArgumentException($"CPUs {cpus} are not all online (online: {topology.Online})", nameof(cpus));
        }
        var housekeeping = topology.Online.Except(cpus);
        if (housekeeping.IsEmpty)
        {
            throw new ArgumentException($"isolating CPUs {cpus} would leave no housekeeping CPU (online: {topology.Online})", nameof(cpus));
        }
        var changes = new List<SystemChange>();
        var skipped = new List<string>();

        foreach (var irq in root.Directories("proc/irq"))
        {
            if (irq.Length == 0 || !char.IsAsciiDigit(irq[0]))
            {
                continue;
            }
            var path = $"proc/irq/{irq}/smp_affinity_list";
            var text = root.ReadText(path);
            if (text is not null && CpuSet.TryParse(text, out var affinity) && affinity.Overlaps(cpus))
            {
                var after = affinity.Except(cpus);
                changes.Add(new SystemChange(SystemChangeKind.WriteFile, path, text, (after.IsEmpty ? housekeeping : after).ToString(), $"IRQ {irq} off CPUs {cpus}"));
            }
        }
        if (root.ReadText("proc/irq/default_smp_affinity") is { } defaultMask && CpuSet.ParseMask(defaultMask).Overlaps(cpus))
        {
            changes.Add(new SystemChange(SystemChangeKind.WriteFile, "proc/irq/default_smp_affinity", defaultMask, housekeeping.ToMask(), "new IRQs off the isolated CPUs"));
        }
        const string workqueue = "sys/devices/virtual/workqueue/cpumask";
        if (root.ReadText(workqueue) is { } wqMask && CpuSet.ParseMask(wqMask).Overlaps(cpus))
        {
            changes.Add(new SystemChange(SystemChangeKind.WriteFile, workqueue, wqMask, housekeeping.ToMask(), "unbound workqueues on housekeeping CPUs"));
        }
        foreach (var task in TaskInfo.ReadProcesses(root))
        {
            if (!task.IsKernelThread || task.AllowedCpus is not { } allowed || !allowed.Overlaps(cpus))
            {
                continue;
            }
            if (!task.CanMove)
            {
                if (allowed.Count > 1)
                {
                    skipped.Add($"kernel thread {task.Id} ({task.Name}) cannot be moved by user space (PF_NO_SETAFFINITY)");
                }
                continue;
            }
            var after = allowed.Except(cpus);
            changes.Add(new SystemChange(SystemChangeKind.SetTaskAffinity, task.Id.ToString(System.Globalization.CultureInfo.InvariantCulture),
                allowed.ToString(), (after.IsEmpty ? housekeeping : after).ToString(), $"kernel thread {task.Name} off CPUs {cpus}"));
        }
        if (partition)
        {
            var cgroups = CgroupPartitions.Read(root);
            if (cgroups.Mount is null)
            {
                skipped.Add("isolated partition: no cgroup v2 hierarchy is mounted");
            }
            else if (!cgroups.HasCpuset)
            {
                skipped.Add($"isolated partition: the cgroup v2 hierarchy at /{cgroups.Mount} has no cpuset controller");
            }
            else
            {
                var folder = $"{cgroups.Mount}/{PartitionName}";
                var subtree = root.ReadText($"{cgroups.Mount}/cgroup.subtree_control") ?? "";
                if (!subtree.Split(' ').Contains("cpuset"))
                {
                    changes.Add(new SystemChange(SystemChangeKind.WriteFile, $"{cgroups.Mount}/cgroup.subtree_control", subtree, "+cpuset", "enable cpuset for child cgroups"));
                }
                if (!root.Exists(folder))
                {
                    changes.Add(new SystemChange(SystemChangeKind.CreateDirectory, folder, null, "", "the partition's cgroup"));
                }
                changes.Add(new SystemChange(SystemChangeKind.WriteFile, $"{folder}/cpuset.cpus", root.ReadText($"{folder}/cpuset.cpus") ?? "", cpus.ToString(), "the partition's CPUs"));
                changes.Add(new SystemChange(SystemChangeKind.WriteFile, $"{folder}/cpuset.cpus.partition", root.ReadText($"{folder}/cpuset.cpus.partition") ?? "member", "isolated", "make it an isolated partition"));
            }
        }
        return new SystemPlan(cpus, housekeeping, changes, skipped);
    }
}
