using System.Globalization;

namespace Bitfuse.Isolation;

/// <summary>
/// What <c>/proc/PID/stat</c> and <c>/proc/PID/status</c> say about one task (process or thread): its name,
/// kernel flags, the CPU it last ran on, the CPUs it may use and its context switches.
/// </summary>
public sealed record TaskInfo(int Id, string Name, uint Flags, int LastCpu, CpuSet? AllowedCpus, long VoluntarySwitches, long InvoluntarySwitches)
{
    /// <summary>PF_KTHREAD: the task is a kernel thread.</summary>
    public const uint KernelThreadFlag = 0x00200000;

    /// <summary>PF_NO_SETAFFINITY: user space may not change the task's affinity (per-CPU kernel threads).</summary>
    public const uint NoSetAffinityFlag = 0x04000000;

    /// <summary>True for kernel threads.</summary>
    public bool IsKernelThread => (Flags & KernelThreadFlag) != 0;

    /// <summary>True when the affinity can be changed from user space.</summary>
    public bool CanMove => (Flags & NoSetAffinityFlag) == 0;

    /// <summary>Reads the task folder <paramref name="relative"/> (<c>proc/42</c>, <c>proc/self/task/43</c>); null when it vanished or is malformed.</summary>
    public static TaskInfo? Read(SystemRoot root, string relative)
    {
        var stat = root.ReadText(relative + "/stat");
        if (stat is null)
        {
            return null;
        }
        var open = stat.IndexOf('(', StringComparison.Ordinal);
        var close = stat.LastIndexOf(')');
        if (open < 0 || close < open || !int.TryParse(stat.AsSpan(0, open).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var id))
        {
            return null;
        }
        var name = stat[(open + 1)..close];
        // Fields after the name start at field 3 (state); flags is field 9, processor field 39.
        var rest = stat[(close + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        uint flags = rest.Length > 6 && uint.TryParse(rest[6], NumberStyles.None, CultureInfo.InvariantCulture, out var f) ? f : 0;
        var lastCpu = rest.Length > 36 && int.TryParse(rest[36], NumberStyles.None, CultureInfo.InvariantCulture, out var p) ? p : -1;

        CpuSet? allowed = null;
        long voluntary = 0, involuntary = 0;
        if (root.ReadText(relative + "/status") is { } status)
        {
            foreach (var line in status.Split('\n'))
            {
                var colon = line.IndexOf(':', StringComparison.Ordinal);
                if (colon < 0)
                {
                    continue;
                }
                var key = line[..colon];
                var value = line[(colon + 1)..].Trim();
                switch (key)
                {
                    case "Cpus_allowed_list":
                        allowed = CpuSet.TryParse(value, out var set) ? set : null;
                        break;
                    case "voluntary_ctxt_switches":
                        long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out voluntary);
                        break;
                    case "nonvoluntary_ctxt_switches":
                        long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out involuntary);
                        break;
                }
            }
        }
        return new TaskInfo(id, name, flags, lastCpu, allowed, voluntary, involuntary);
    }

    /// <summary>Every process under <c>proc/</c> (numeric folders), kernel threads included.</summary>
    public static IReadOnlyList<TaskInfo> ReadProcesses(SystemRoot root)
    {
        var tasks = new List<TaskInfo>();
        foreach (var name in root.Directories("proc"))
        {
            if (name.Length > 0 && char.IsAsciiDigit(name[0]) && Read(root, "proc/" + name) is { } task)
            {
                tasks.Add(task);
            }
        }
        tasks.Sort((a, b) => a.Id.CompareTo(b.Id));
        return tasks;
    }

    /// <summary>The threads of this process (<c>/proc/self/task</c>) on the live machine.</summary>
    public static IReadOnlyList<TaskInfo> ReadOwnThreads()
    {
        var root = SystemRoot.Live;
        var tasks = new List<TaskInfo>();
        foreach (var name in root.Directories("proc/self/task"))
        {
            if (Read(root, "proc/self/task/" + name) is { } task)
            {
                tasks.Add(task);
            }
        }
        return tasks;
    }
}
