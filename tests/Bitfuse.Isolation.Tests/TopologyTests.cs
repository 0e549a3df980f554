using Bitfuse.Isolation;

namespace Bitfuse.Isolation.Tests;

public sealed class TopologyTests
{
    [Fact]
    public void Isolated_server_topology_has_siblings_nodes_and_housekeeping()
    {
        var topology = CpuTopology.Read(FixtureTrees.Root(FixtureTrees.IsolatedServer));

        Assert.Equal(CpuSet.Range(0, 15), topology.Online);
        Assert.Equal(CpuSet.Parse("2-7,10-15"), topology.Isolated);
        Assert.Equal(CpuSet.Parse("2-7,10-15"), topology.NohzFull);
        Assert.Equal(CpuSet.Parse("0-1,8-9"), topology.Housekeeping);
        Assert.Equal(CpuSet.Of(3, 11), topology.Find(3)!.Siblings);
        Assert.Equal(CpuSet.Of(3, 11), topology.Find(11)!.Siblings);
        Assert.Equal([0], topology.Nodes);
    }

    [Fact]
    public void Misconfigured_topology_knows_the_offline_cpu_and_two_nodes()
    {
        var topology = CpuTopology.Read(FixtureTrees.Root(FixtureTrees.Misconfigured));

        Assert.False(topology.Online.Contains(5));
        Assert.True(topology.Possible.Contains(5));
        Assert.False(topology.Find(5)!.Online);
        Assert.Equal(1, topology.Find(5)!.Node);
        Assert.Equal([0, 1], topology.Nodes);
    }

    [Fact]
    public void Vm_topology_has_no_nohz_full_file_and_nothing_isolated()
    {
        var topology = CpuTopology.Read(FixtureTrees.Root(FixtureTrees.Vm));

        Assert.Null(topology.NohzFull);
        Assert.True(topology.Isolated.IsEmpty);
        Assert.Equal(CpuSet.Of(0, 1), topology.Housekeeping);
    }

    [Fact]
    public void This_machine_topology_is_readable()
    {
        var topology = CpuTopology.Read(SystemRoot.Live);
        Assert.Equal(Environment.ProcessorCount, topology.Online.Count);
        Assert.All(topology.Online.Cpus, cpu => Assert.True(topology.Find(cpu)!.Siblings.Contains(cpu)));
    }
}
