using Bitfuse.Isolation;
using Bitfuse.Isolation.SystemChanges;

namespace Bitfuse.Isolation.Tests;

/// <summary>System changes are planned, applied and undone on copies of fixture trees only, never on this machine.</summary>
public sealed class SystemChangeTests
{
    [Fact]
    public void Vm_plan_moves_irqs_masks_and_movable_kernel_threads_to_housekeeping()
    {
        var plan = SystemPlan.Build(FixtureTrees.Root(FixtureTrees.Vm), CpuSet.Of(1));

        Assert.Equal(CpuSet.Of(0), plan.Housekeeping);
        var writes = plan.Changes.Where(c => c.Kind == SystemChangeKind.WriteFile).ToDictionary(c => c.Target, c => c.After);
        Assert.Equal("0", writes["proc/irq/24/smp_affinity_list"]);
        Assert.Equal("0", writes["proc/irq/36/smp_affinity_list"]);
        Assert.Equal("1", writes["proc/irq/default_smp_affinity"]);
        Assert.Equal("1", writes["sys/devices/virtual/workqueue/cpumask"]);
        var moves = plan.Changes.Where(c => c.Kind == SystemChangeKind.SetTaskAffinity).Select(c => c.Target).ToHashSet();
        Assert.Equal(["2", "30", "31", "32"], moves.Order());
        Assert.DoesNotContain("11", moves); // ksoftirqd/1 cannot move
        Assert.Contains(plan.Skipped, s => s.Contains("kworker/u8:0", StringComparison.Ordinal));
    }

    [Fact]
    public void Apply_writes_the_tree_and_undo_puts_every_value_back()
    {
        var root = FixtureTrees.Copy(FixtureTrees.Misconfigured);
        var undo = Path.Combine(root.Path, "undo.json");
        try
        {
            var before = Snapshot(root);
            var plan = SystemPlan.Build(root, CpuSet.Range(2, 4), partition: true);
            var moved = new Dictionary<int, CpuSet>();
            var steps = SystemChangeSet.Apply(plan, root, undo, (id, cpus) => { moved[id] = cpus; return null; });

            Assert.All(steps, s => Assert.True(s.Done, s.Action + ": " + s.Detail));
            Assert.Equal("0-1,5-7", root.ReadText("proc/irq/30/smp_affinity_list"));
            Assert.Equal("c3", root.ReadText("proc/irq/default_smp_affinity")); // CPU 5 is offline
            Assert.Equal("isolated", root.ReadText($"sys/fs/cgroup/{SystemPlan.PartitionName}/cpuset.cpus.partition"));
            Assert.Equal("2-4", root.ReadText($"sys/fs/cgroup/{SystemPlan.PartitionName}/cpuset.cpus"));
            Assert.Equal(CpuSet.Parse("0-1,5-7"), moved[40]); // kcompactd0
            Assert.True(File.Exists(undo));

            var undone = SystemChangeSet.Undo(undo, root, (id, cpus) => { moved[id] = cpus; return null; });
            Assert.All(undone, s => Assert.True(s.Done, s.Action + ": " + s.Detail));
            Assert.Equal(CpuSet.Range(0, 7), moved[40]);
            Assert.False(root.Exists($"sys/fs/cgroup/{SystemPlan.PartitionName}"));
            var after = Snapshot(root);
            after.Remove("undo.json");
            after["sys/fs/cgroup/cgroup.subtree_control"] = before["sys/fs/cgroup/cgroup.subtree_control"]; // a real kernel turns "-cpuset" back into the list
            Assert.Equal(before, after);
        }
        finally
        {
            Directory.Delete(root.Path, recursive: true);
        }
    }

    [Fact]
    public void Refused_changes_are_reported_and_left_out_of_the_undo_file()
    {
        var root = FixtureTrees.Copy(FixtureTrees.Vm);
        var undo = Path.Combine(root.Path, "undo.json");
        try
        {
            var plan = SystemPlan.Build(root, CpuSet.Of(1));
            var steps = SystemChangeSet.Apply(plan, root, undo, (id, _) => id == 2 ? "EPERM (Operation not permitted)" : null);
            var refused = Assert.Single(steps, s => !s.Done);
            Assert.Contains("task 2", refused.Action, StringComparison.Ordinal);
            Assert.DoesNotContain("\"Target\": \"2\"", File.ReadAllText(undo), StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(root.Path, recursive: true);
        }
    }

    [Fact]
    public void Plans_that_leave_no_housekeeping_cpu_or_name_offline_cpus_are_refused()
    {
        var vm = FixtureTrees.Root(FixtureTrees.Vm);
        Assert.Contains("no housekeeping CPU", Assert.Throws<ArgumentException>(() => SystemPlan.Build(vm, CpuSet.Of(0, 1))).Message, StringComparison.Ordinal);
        Assert.Contains("not all online", Assert.Throws<ArgumentException>(() => SystemPlan.Build(vm, CpuSet.Of(5))).Message, StringComparison.Ordinal);
        var vmPartition = SystemPlan.Build(vm, CpuSet.Of(1), partition: true);
        Assert.Contains(vmPartition.Skipped, s => s.Contains("no cpuset controller", StringComparison.Ordinal));
    }

    [Fact]
    public void Undo_file_that_is_not_json_is_rejected_with_a_position()
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, "{ not json");
            var e = Assert.Throws<InvalidDataException>(() => SystemChangeSet.Undo(path, FixtureTrees.Root(FixtureTrees.Vm)));
            Assert.Contains("line", e.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static Dictionary<string, string> Snapshot(SystemRoot root) =>
        Directory.EnumerateFiles(root.Path, "*", SearchOption.AllDirectories)
            .ToDictionary(f => Path.GetRelativePath(root.Path, f), f => File.ReadAllText(f).TrimEnd());
}
