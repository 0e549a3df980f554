namespace Bitfuse.Isolation.Audit;

/// <summary>
/// The cgroup-v2 hierarchy as far as CPU isolation cares: where it is mounted, whether its cpuset
/// controller is usable, and which cgroups are <c>isolated</c> partitions with which CPUs.
/// </summary>
/// <param name="Mount">The cgroup-v2 mount point relative to the root, or null when none is mounted.</param>
/// <param name="HasCpuset">True when the v2 hierarchy offers the cpuset controller.</param>
/// <param name="CpusetOnV1">True when cpuset is bound to a cgroup-v1 hierarchy instead.</param>
/// <param name="Isolated">Each isolated partition: cgroup path and its effective CPUs.</param>
public sealed record CgroupPartitions(string? Mount, bool HasCpuset, bool CpusetOnV1, IReadOnlyList<(string Path, CpuSet Cpus)> Isolated)
{
    /// <summary>The CPUs of every isolated partition.</summary>
    public CpuSet IsolatedCpus
    {
        get
        {
            var set = CpuSet.Empty;
            foreach (var (_, cpus) in Isolated)
            {
                set = set.Union(cpus);
            }
            return set;
        }
    }

    /// <summary>Reads <c>proc/mounts</c> and walks the v2 hierarchy (three levels deep) under <paramref name="root"/>.</summary>
    public static CgroupPartitions Read(SystemRoot root)
    {
        string? mount = null;
        var cpusetOnV1 = false;
        foreach (var line in (root.ReadText("proc/mounts") ?? "").Split('\n'))
        {
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 4)
            {
                continue;
            }
            if (fields[2] == "cgroup2")
            {
                mount ??= fields[1].TrimStart('/');
            }
            else if (fields[2] == "cgroup" && fields[3].Split(',').Contains("cpuset"))
            {
                cpusetOnV1 = true;
            }
        }
        if (mount is null)
        {
            return new CgroupPartitions(null, false, cpusetOnV1, []);
        }
        var controllers = (root.ReadText(mount + "/cgroup.controllers") ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var hasCpuset = controllers.Contains("cpuset");
        var isolated = new List<(string, CpuSet)>();
        if (hasCpuset)
        {
            Walk(root, mount, "", 0, isolated);
        }
        return new CgroupPartitions(mount, hasCpuset, cpusetOnV1, isolated);
    }

    private static void Walk(SystemRoot root, string mount, string path, int depth, List<(string, CpuSet)> isolated)
    {
        var folder = path.Length == 0 ? mount : $"{mount}/{path}";
        var partition = root.ReadText(folder + "/cpuset.cpus.partition");
        if (partition is not null && partition.StartsWith("isolated", StringComparison.Ordinal) && !partition.Contains("invalid", StringComparison.Ordinal))
        {
            var cpus = root.ReadCpuList(folder + "/cpuset.cpus.effective") ?? root.ReadCpuList(folder + "/cpuset.cpus") ?? CpuSet.Empty;
            isolated.Add(("/" + path, cpus));
        }
        if (depth >= 3)
        {
            return;
        }
        foreach (var child in root.Directories(folder))
        {
            Walk(root, mount, path.Length == 0 ? child : $"{path}/{child}", depth + 1, isolated);
        }
    }
}
