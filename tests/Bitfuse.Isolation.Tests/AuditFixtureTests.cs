using Bitfuse.Isolation;
using Bitfuse.Isolation.Audit;
using static Bitfuse.Isolation.Audit.Verdict;

namespace Bitfuse.Isolation.Tests;

public sealed class AuditFixtureTests
{
    /// <summary>Asserts the report holds exactly these (id, cpu) items with these verdicts.</summary>
    private static void AssertVerdicts(AuditReport report, IReadOnlyDictionary<(string Id, int? Cpu), Verdict> expected)
    {
        var actual = report.Items.ToDictionary(i => (i.Id, i.Cpu), i => i.Verdict);
        foreach (var ((id, cpu), verdict) in expected)
        {
            Assert.True(actual.TryGetValue((id, cpu), out var found), $"missing item {id} cpu {cpu}");
            Assert.True(verdict == found, $"{id} cpu {cpu}: expected {verdict}, got {found}: {report.Item(id, cpu).Reason}");
        }
        Assert.Equal(expected.Count, actual.Count);
        Assert.All(report.Items, i => Assert.False(string.IsNullOrWhiteSpace(i.Reason)));
        Assert.All(report.Items.Where(i => i.Verdict is Warn or Fail), i => Assert.False(string.IsNullOrWhiteSpace(i.Hint), $"{i.Id} has no hint"));
    }

    [Fact]
    public void Well_isolated_server_passes_every_item()
    {
        var report = IsolationAudit.Run(FixtureTrees.Root(FixtureTrees.IsolatedServer));

        Assert.Equal(CpuSet.Parse("2-7,10-15"), report.Cpus);
        Assert.Equal("the isolated CPUs", report.CpusChosenBy);
        var failing = report.Items.Where(i => i.Verdict != Ok).Select(i => $"{i.Id}/{i.Cpu}: {i.Verdict}: {i.Reason}").ToList();
        Assert.True(failing.Count == 0, string.Join("\n", failing));
        var perCpu = new[] { "cpu.online", "irq.counters", "power.governor", "power.cstates", "cpu.smt", "platform.steal" };
        var expected = new Dictionary<(string, int?), Verdict>();
        foreach (var check in IsolationAudit.Checklist)
        {
            if (perCpu.Contains(check.Id))
            {
                foreach (var cpu in report.Cpus.Cpus)
                {
                    expected[(check.Id, cpu)] = Ok;
                }
            }
            else
            {
                expected[(check.Id, null)] = Ok;
            }
        }
        AssertVerdicts(report, expected);
        Assert.Contains("/rt", report.Item("cgroup.partition").Reason, StringComparison.Ordinal);
        Assert.Contains("idle=poll", report.Item("power.cstates", 2).Reason, StringComparison.Ordinal);
        Assert.Contains("6 per-CPU kernel threads", report.Item("kthread.unmovable").Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Vm_like_this_machine_says_nothing_is_isolated()
    {
        var report = IsolationAudit.Run(FixtureTrees.Root(FixtureTrees.Vm));

        Assert.Equal(CpuSet.Of(1), report.Cpus);
        AssertVerdicts(report, new Dictionary<(string, int?), Verdict>
        {
            [("cpu.online", 1)] = Ok,
            [("boot.isolcpus", null)] = Fail,
            [("boot.nohz_full", null)] = Fail,
            [("boot.rcu_nocbs", null)] = Warn,
            [("boot.irqaffinity", null)] = Warn,
            [("cpu.isolated", null)] = Fail,
            [("cpu.nohz_full", null)] = Fail,
            [("cpu.housekeeping", null)] = Warn,
            [("cgroup.partition", null)] = CannotVerify,
            [("kthread.rcuo", null)] = Warn,
            [("irq.affinity", null)] = Fail,
            [("irq.default_affinity", null)] = Warn,
            [("irq.counters", 1)] = Warn,
            [("workqueue.cpumask", null)] = Warn,
            [("kthread.movable", null)] = Warn,
            [("kthread.unmovable", null)] = Warn,
            [("power.governor", 1)] = CannotVerify,
            [("power.cstates", 1)] = CannotVerify,
            [("cpu.smt", 1)] = Ok,
            [("kernel.timer_migration", null)] = Ok,
            [("kernel.rt_throttling", null)] = Warn,
            [("kernel.fair_server", null)] = CannotVerify,
            [("kernel.vmstat_interval", null)] = Warn,
            [("mm.thp", null)] = Ok,
            [("kernel.watchdog", null)] = Warn,
            [("clock.source", null)] = Ok,
            [("clock.tsc", null)] = Ok,
            [("platform.virtualization", null)] = Warn,
            [("platform.steal", 1)] = Warn,
            [("process.memlock", null)] = Warn,
            [("process.affinity", null)] = Ok,
        });
        Assert.Contains("no isolated CPUs", report.Item("cpu.isolated").Reason, StringComparison.Ordinal);
        Assert.Contains("CONFIG_NO_HZ_FULL", report.Item("cpu.nohz_full").Reason, StringComparison.Ordinal);
        Assert.Contains("hypervisor", report.Item("platform.virtualization").Reason, StringComparison.Ordinal);
        Assert.Contains("no cpuset controller", report.Item("cgroup.partition").Reason, StringComparison.Ordinal);
        Assert.Contains("4 of 4 IRQs", report.Item("irq.affinity").Reason, StringComparison.Ordinal);
        Assert.Contains("36 virtio1-req.0: 8866", report.Item("irq.counters", 1).Reason, StringComparison.Ordinal);
        Assert.Contains("kcompactd0", report.Item("kthread.movable").Reason, StringComparison.Ordinal);
        Assert.Contains("2.86 s", report.Item("platform.steal", 1).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Misconfigured_server_is_judged_item_by_item()
    {
        var report = IsolationAudit.Run(FixtureTrees.Root(FixtureTrees.Misconfigured), CpuSet.Range(2, 5));

        var expected = new Dictionary<(string, int?), Verdict>
        {
            [("cpu.online", 2)] = Ok,
            [("cpu.online", 3)] = Ok,
            [("cpu.online", 4)] = Ok,
            [("cpu.online", 5)] = Fail,
            [("boot.isolcpus", null)] = Warn,
            [("boot.nohz_full", null)] = Ok,
            [("boot.rcu_nocbs", null)] = Ok,
            [("boot.irqaffinity", null)] = Fail,
            [("cpu.isolated", null)] = Fail,
            [("cpu.nohz_full", null)] = Ok,
            [("cpu.housekeeping", null)] = Ok,
            [("cgroup.partition", null)] = Warn,
            [("kthread.rcuo", null)] = Warn,
            [("irq.affinity", null)] = Fail,
            [("irq.default_affinity", null)] = Warn,
            [("irq.counters", 2)] = Warn,
            [("irq.counters", 3)] = Ok,
            [("irq.counters", 4)] = Ok,
            [("irq.counters", 5)] = Ok,
            [("workqueue.cpumask", null)] = Warn,
            [("kthread.movable", null)] = Warn,
            [("kthread.unmovable", null)] = Ok,
            [("power.governor", 2)] = Warn,
            [("power.governor", 3)] = Ok,
            [("power.governor", 4)] = Warn,
            [("power.governor", 5)] = Warn,
            [("power.cstates", 2)] = Warn,
            [("power.cstates", 3)] = Warn,
            [("power.cstates", 4)] = Warn,
            [("power.cstates", 5)] = Ok,
            [("cpu.smt", 2)] = Warn,
            [("cpu.smt", 3)] = Warn,
            [("cpu.smt", 4)] = Warn,
            [("cpu.smt", 5)] = Warn,
            [("kernel.timer_migration", null)] = Warn,
            [("kernel.rt_throttling", null)] = Warn,
            [("kernel.fair_server", 2)] = Warn,
            [("kernel.fair_server", 3)] = Ok,
            [("kernel.fair_server", 4)] = Warn,
            [("kernel.fair_server", 5)] = Warn,
            [("kernel.vmstat_interval", null)] = Warn,
            [("mm.thp", null)] = Warn,
            [("kernel.watchdog", null)] = Warn,
            [("clock.source", null)] = Warn,
            [("clock.tsc", null)] = Warn,
            [("platform.virtualization", null)] = Ok,
            [("platform.steal", 2)] = Ok,
            [("platform.steal", 3)] = Ok,
            [("platform.steal", 4)] = Ok,
            [("platform.steal", 5)] = Ok,
            [("process.memlock", null)] = Warn,
            [("process.affinity", null)] = Fail,
        };
        AssertVerdicts(report, expected);
        Assert.Contains("leaves out CPUs 4-5", report.Item("boot.isolcpus").Reason, StringComparison.Ordinal);
        Assert.Contains("includes CPUs 2-3", report.Item("boot.irqaffinity").Reason, StringComparison.Ordinal);
        Assert.Contains("30 (eth0)", report.Item("irq.affinity").Reason, StringComparison.Ordinal);
        Assert.Contains("32 (nvme0q1)", report.Item("irq.affinity").Reason, StringComparison.Ordinal);
        Assert.DoesNotContain("31 (", report.Item("irq.affinity").Reason, StringComparison.Ordinal);
        Assert.Contains("C6 (133 µs)", report.Item("power.cstates", 2).Reason, StringComparison.Ordinal);
        Assert.Contains("CPU 6", report.Item("cpu.smt", 2).Reason, StringComparison.Ordinal);
        Assert.Contains("nonstop_tsc", report.Item("clock.tsc").Reason, StringComparison.Ordinal);
        Assert.Contains("CPUs 4-5 are not allowed", report.Item("process.affinity").Reason, StringComparison.Ordinal);
        Assert.Contains("kswapd0", report.Item("kthread.movable").Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Memlock_limit_does_not_matter_with_cap_ipc_lock()
    {
        var root = FixtureTrees.Copy(FixtureTrees.Vm);
        try
        {
            Assert.Equal(Warn, IsolationAudit.Run(root).Item("process.memlock").Verdict);
            File.AppendAllText(root.Resolve("proc/self/status"), "CapEff:\t0000000000004000\n");
            var item = IsolationAudit.Run(root).Item("process.memlock");
            Assert.Equal(Ok, item.Verdict);
            Assert.Contains("CAP_IPC_LOCK", item.Reason, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(root.Path, recursive: true);
        }
    }

    [Fact]
    public void Every_check_has_a_unique_id()
    {
        var ids = IsolationAudit.Checklist.Select(c => c.Id).ToList();
        Assert.Equal(ids.Count, ids.Distinct().Count());
    }

    [Fact]
    public void Missing_tree_gives_cannot_verify_not_a_crash()
    {
        var empty = Directory.CreateTempSubdirectory("bitfuse-empty-root");
        try
        {
            var report = IsolationAudit.Run(new SystemRoot(empty.FullName), CpuSet.Of(1));
            Assert.Equal(Fail, report.Item("cpu.online", 1).Verdict);
            Assert.Equal(CannotVerify, report.Item("irq.affinity").Verdict);
            Assert.Equal(CannotVerify, report.Item("clock.source").Verdict);
            Assert.Equal(CannotVerify, report.Item("kthread.movable").Verdict);
        }
        finally
        {
            empty.Delete(recursive: true);
        }
    }

    [Fact]
    public void This_machine_can_be_audited_without_root_files_changing()
    {
        var report = IsolationAudit.Run(SystemRoot.Live);
        Assert.Equal(IsolationAudit.Checklist.Count, report.Items.Select(i => i.Id).Distinct().Count());
        Assert.False(report.Cpus.IsEmpty);
    }
}
