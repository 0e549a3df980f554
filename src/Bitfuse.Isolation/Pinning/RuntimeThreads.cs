namespace Bitfuse.Isolation.Pinning;

/// <summary>
/// Moves this process's other threads (the runtime's finalizer, tiered-compilation worker, EventPipe,
/// signal handler, thread-pool workers, and the main thread) off chosen CPUs so pinned threads have them
/// alone, and puts them back. Changes only this process; no root needed.
/// </summary>
public static class RuntimeThreads
{
    /// <summary>One thread moved: its id, name and the affinity it had.</summary>
    public sealed record Move(int ThreadId, string Name, CpuSet Before, CpuSet After);

    /// <summary>
    /// Takes <paramref name="cpus"/> out of the affinity of every thread of this process except
    /// <paramref name="keep"/>. Returns what was moved (for <see cref="Restore"/>) and a step per thread.
    /// </summary>
    public static (IReadOnlyList<Move> Moved, IReadOnlyList<PreparationStep> Steps) MoveOff(CpuSet cpus, IReadOnlySet<int>? keep = null)
    {
        var moved = new List<Move>();
        var steps = new List<PreparationStep>();
        foreach (var thread in TaskInfo.ReadOwnThreads())
        {
            if (keep is not null && keep.Contains(thread.Id))
            {
                continue;
            }
            CpuSet before;
            try
            {
                before = ThreadAffinity.Get(thread.Id);
            }
            catch (ArgumentException)
            {
                continue; // the thread ended meanwhile
            }
            if (!before.Overlaps(cpus))
            {
                continue;
            }
            var action = $"move thread {thread.Id} ({thread.Name}) off CPUs {cpus}";
            var after = before.Except(cpus);
            if (after.IsEmpty)
            {
                steps.Add(new PreparationStep(action, false, $"it may run only on CPUs {before}: moving it would leave no CPU"));
                continue;
            }
            var error = ThreadAffinity.TrySet(thread.Id, after);
            if (error is null)
            {
                moved.Add(new Move(thread.Id, thread.Name, before, after));
                steps.Add(new PreparationStep(action, true, $"CPUs {before} -> {after}"));
            }
            else
            {
                steps.Add(new PreparationStep(action, false, error));
            }
        }
        return (moved, steps);
    }

    /// <summary>Gives moved threads their old affinity back (threads that ended are skipped).</summary>
    public static void Restore(IReadOnlyList<Move> moved)
    {
        foreach (var move in moved)
        {
            _ = ThreadAffinity.TrySet(move.ThreadId, move.Before);
        }
    }
}
