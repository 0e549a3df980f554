using System.Text.Json;
using Bitfuse.Isolation.Native;
using Bitfuse.Isolation.Pinning;

namespace Bitfuse.Isolation.SystemChanges;

/// <summary>
/// Applies a <see cref="SystemPlan"/> and undoes it. Invariants: nothing is written unless the caller asked
/// to apply; on the live machine only root may apply; every change that took effect is in the undo file,
/// and undo replays it in reverse with the old values. The file is written ahead: each change is recorded
/// before it is made (and dropped again if it fails), each time by writing a new file and renaming it over
/// the old one, so a process killed at any point leaves a whole record that covers everything it did (at
/// worst one change that never happened, whose undo then reports that it had nothing to undo).
/// </summary>
public static class SystemChangeSet
{
    private static readonly JsonSerializerOptions UndoJson = new()
    {
        WriteIndented = true,
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() },
    };

    /// <summary>The default way to move a task: <c>sched_setaffinity</c>; returns null or the reason it was refused.</summary>
    public static string? SetTaskAffinity(int taskId, CpuSet cpus) => ThreadAffinity.TrySet(taskId, cpus);

    /// <summary>True when this process runs as root.</summary>
    public static bool IsRoot => Libc.GetEuid() == 0;

    /// <summary>
    /// Applies <paramref name="plan"/> under <paramref name="root"/> and writes the changes that took effect to
    /// <paramref name="undoPath"/>. <paramref name="setTaskAffinity"/> moves tasks (default: <see cref="SetTaskAffinity"/>).
    /// </summary>
    /// <exception cref="UnauthorizedAccessException">The root is the live machine and this process is not root.</exception>
    public static IReadOnlyList<PreparationStep> Apply(SystemPlan plan, SystemRoot root, string undoPath, Func<int, CpuSet, string?>? setTaskAffinity = null)
    {
        ArgumentNullException.ThrowIfNull(plan);
        return Apply(plan.Changes, root, undoPath, setTaskAffinity);
    }

    /// <summary>Applies <paramref name="changes"/> in order and records each one that took effect in <paramref name="undoPath"/>.</summary>
    /// <exception cref="UnauthorizedAccessException">The root is the live machine and this process is not root.</exception>
    internal static IReadOnlyList<PreparationStep> Apply(IReadOnlyList<SystemChange> changes, SystemRoot root, string undoPath, Func<int, CpuSet, string?>? setTaskAffinity = null)
    {
        ArgumentNullException.ThrowIfNull(changes);
        ArgumentNullException.ThrowIfNull(root);
        if (root.IsLive && !IsRoot)
        {
            throw new UnauthorizedAccessException("system changes need root: run as root, or leave out --apply to see the plan");
        }
        setTaskAffinity ??= SetTaskAffinity;
        var applied = new List<SystemChange>();
        var steps = new List<PreparationStep>();
        // Once the last change is made the record is not written again: another process may add to it from then on
        // (a tracefs mount handed over by a run that ends first).
        var recorded = -1;
        try
        {
            WriteRecord(undoPath, applied);
            foreach (var change in changes)
            {
                WriteRecord(undoPath, [.. applied, change]);
                recorded = applied.Count + 1;
                var error = Perform(change, change.After, root, setTaskAffinity);
                steps.Add(new PreparationStep(Describe(change), error is null, error ?? change.Reason));
                if (error is null)
                {
                    applied.Add(change);
                }
            }
        }
        finally
        {
            if (recorded != applied.Count)
            {
                WriteRecord(undoPath, applied);
            }
        }
        return steps;
    }

    /// <summary>The changes recorded in an undo file, oldest first.</summary>
    /// <exception cref="InvalidDataException">The file is not one this class wrote.</exception>
    internal static List<SystemChange> ReadRecord(string undoPath)
    {
        List<SystemChange>? changes;
        try
        {
            changes = JsonSerializer.Deserialize<List<SystemChange>>(File.ReadAllText(undoPath), UndoJson);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{undoPath} is not an undo file: {e.Message} (line {e.LineNumber}, byte {e.BytePositionInLine})", e);
        }
        return changes ?? throw new InvalidDataException($"{undoPath} is not an undo file: it holds null");
    }

    /// <summary>Replaces the undo file in one step: a new file renamed over the old.</summary>
    internal static void WriteRecord(string undoPath, List<SystemChange> changes)
    {
        var next = undoPath + ".next";
        File.WriteAllText(next, JsonSerializer.Serialize(changes, UndoJson));
        File.Move(next, undoPath, overwrite: true);
    }

    /// <summary>Reverts the changes recorded in <paramref name="undoPath"/>, newest first.</summary>
    /// <exception cref="UnauthorizedAccessException">The root is the live machine and this process is not root.</exception>
    /// <exception cref="InvalidDataException">The undo file is not one this class wrote.</exception>
    public static IReadOnlyList<PreparationStep> Undo(string undoPath, SystemRoot root, Func<int, CpuSet, string?>? setTaskAffinity = null)
    {
        if (root.IsLive && !IsRoot)
        {
            throw new UnauthorizedAccessException("undoing system changes needs root");
        }
        var changes = ReadRecord(undoPath);
        setTaskAffinity ??= SetTaskAffinity;
        var steps = new List<PreparationStep>();
        for (var i = changes.Count - 1; i >= 0; i--)
        {
            var change = changes[i];
            string? error;
            if (change.Kind == SystemChangeKind.CreateDirectory)
            {
                // A cgroup folder is removed with rmdir even though it lists files; a saved tree holds real files.
                // A folder already gone (a record written ahead of a change that never happened) is undone.
                error = Directory.Exists(root.Resolve(change.Target)) ? Try(() => Directory.Delete(root.Resolve(change.Target), recursive: !root.IsLive)) : null;
            }
            else if (change.Kind == SystemChangeKind.Mount)
            {
                error = root.IsLive ? Libc.Unmount(root.Resolve(change.Target)) : "mounts are made on the live machine only";
            }
            else if (change.Kind == SystemChangeKind.WriteFile && change.Target.EndsWith("cgroup.subtree_control", StringComparison.Ordinal))
            {
                error = Try(() => root.WriteText(change.Target, "-cpuset"));
            }
            else
            {
                error = Perform(change, change.Before ?? "", root, setTaskAffinity);
            }
            steps.Add(new PreparationStep("undo " + Describe(change), error is null, error ?? $"back to {change.Before ?? "absent"}"));
        }
        return steps;
    }

    /// <summary>One line for a change: <c>write proc/irq/24/smp_affinity_list: 0-1 -> 0</c>.</summary>
    public static string Describe(SystemChange change) => change.Kind switch
    {
        SystemChangeKind.WriteFile => $"write /{change.Target}: {change.Before} -> {change.After}",
        SystemChangeKind.CreateDirectory => $"create /{change.Target}",
        SystemChangeKind.Mount => $"mount {change.After} on /{change.Target}",
        _ => $"move task {change.Target}: CPUs {change.Before} -> {change.After}",
    };

    private static string? Perform(SystemChange change, string value, SystemRoot root, Func<int, CpuSet, string?> setTaskAffinity)
    {
        switch (change.Kind)
        {
            case SystemChangeKind.WriteFile:
                return Try(() => root.WriteText(change.Target, value));
            case SystemChangeKind.CreateDirectory:
                return Try(() => Directory.CreateDirectory(root.Resolve(change.Target)));
            case SystemChangeKind.Mount:
                return root.IsLive ? Libc.Mount(change.After, root.Resolve(change.Target)) : "mounts are made on the live machine only";
            default:
                if (!int.TryParse(change.Target, out var id) || !CpuSet.TryParse(value, out var cpus))
                {
                    return $"bad task change '{change.Target}' -> '{value}'";
                }
                return setTaskAffinity(id, cpus);
        }
    }

    private static string? Try(Action action)
    {
        try
        {
            action();
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return e.Message;
        }
    }
}
