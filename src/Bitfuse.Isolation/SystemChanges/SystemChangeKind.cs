namespace Bitfuse.Isolation.SystemChanges;

/// <summary>What a system change does.</summary>
public enum SystemChangeKind
{
    /// <summary>Write a value to a file under the root (an IRQ affinity, a mask, a cgroup file).</summary>
    WriteFile,

    /// <summary>Create a folder under the root (a cgroup).</summary>
    CreateDirectory,

    /// <summary>Change the affinity of another task (a kernel thread) with <c>sched_setaffinity</c>.</summary>
    SetTaskAffinity,

    /// <summary>Mount a file system (<see cref="SystemChange.After"/> = its type, e.g. tracefs) on a folder under the live root; undo unmounts it.</summary>
    Mount,
}
