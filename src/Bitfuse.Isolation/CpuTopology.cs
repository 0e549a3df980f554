namespace Bitfuse.Isolation;

/// <summary>
/// The CPUs of a machine as <c>/sys/devices/system/cpu</c> describes them: which are online, which are
/// isolated or tickless, and for each its core, package, NUMA node and SMT siblings.
/// </summary>
public sealed record CpuTopology(CpuSet Possible, CpuSet Online, CpuSet Isolated, CpuSet? NohzFull, IReadOnlyList<CpuInfo> Cpus)
{
    private const string CpuDirectory = "sys/devices/system/cpu";

    /// <summary>The housekeeping CPUs: online and neither isolated nor tickless.</summary>
    public CpuSet Housekeeping => Online.Except(Isolated).Except(NohzFull ?? CpuSet.Empty);

    /// <summary>The NUMA nodes present (empty when the machine does not say).</summary>
    public IReadOnlyList<int> Nodes
    {
        get
        {
            var nodes = new SortedSet<int>();
            foreach (var cpu in Cpus)
            {
                if (cpu.Node >= 0)
                {
                    nodes.Add(cpu.Node);
                }
            }
            return [.. nodes];
        }
    }

    /// <summary>The facts of one CPU, or null when it is not described.</summary>
    public CpuInfo? Find(int cpu)
    {
        foreach (var info in Cpus)
        {
            if (info.Cpu == cpu)
            {
                return info;
            }
        }
        return null;
    }

    /// <summary>Reads the topology under <paramref name="root"/>.</summary>
    public static CpuTopology Read(SystemRoot root)
    {
        var online = root.ReadCpuList(CpuDirectory + "/online") ?? CpuSet.Empty;
        var possible = root.ReadCpuList(CpuDirectory + "/possible") ?? online;
        var isolated = root.ReadCpuList(CpuDirectory + "/isolated") ?? CpuSet.Empty;
        var nohzFull = root.ReadCpuList(CpuDirectory + "/nohz_full");

        var nodeOf = new Dictionary<int, int>();
        foreach (var name in root.Directories("sys/devices/system/node"))
        {
            if (name.StartsWith("node", StringComparison.Ordinal) && int.TryParse(name.AsSpan(4), out var node)
                && root.ReadCpuList($"sys/devices/system/node/{name}/cpulist") is { } cpus)
            {
                foreach (var cpu in cpus.Cpus)
                {
                    nodeOf[cpu] = node;
                }
            }
        }

        var infos = new List<CpuInfo>();
        foreach (var cpu in possible.Union(online).Cpus)
        {
            var topology = $"{CpuDirectory}/cpu{cpu}/topology";
            infos.Add(new CpuInfo(
                cpu,
                online.Contains(cpu),
                (int)(root.ReadInt64(topology + "/core_id") ?? -1),
                (int)(root.ReadInt64(topology + "/physical_package_id") ?? -1),
                nodeOf.GetValueOrDefault(cpu, -1),
                root.ReadCpuList(topology + "/thread_siblings_list") ?? CpuSet.Of(cpu)));
        }
        return new CpuTopology(possible, online, isolated, nohzFull, infos);
    }
}
