using Bitfuse.Persistence.Crash;

namespace Bitfuse.Persistence.Tests.Crash;

/// <summary>
/// I/O errors at the seam: for a fixed workload, each call in turn (inside open and recovery, commits,
/// checkpoints and close) gets a fault — ENOSPC, EIO, a short write, a short write followed by ENOSPC, a failed
/// fsync, a failed create, rename, delete or directory sync. Each error must be clear (an IOException naming a
/// file of the database), must follow the contract (a failed log append throws an IOException and the
/// database goes on; a failed sync or checkpoint stops the handle with DatabaseFailedException, and every later
/// write is refused), and a reopen with a sound disk must hold every acknowledged commit and nothing that
/// failed.
/// </summary>
public sealed class IOErrorTests
{
    public static TheoryData<int> Seeds => CrashSettings.Seeds(1);

    [Theory]
    [MemberData(nameof(Seeds))]
    public void A_fault_at_any_call_is_a_clear_error_loses_no_acknowledged_commit_and_reopen_recovers(int seed)
    {
        foreach (var recovering in (bool[])[false, true])
        {
            using var folder = new TempFolder();
            var basePath = Path.Combine(folder.Path, "base");
            var baseState = recovering ? MakeBaseToRecover(basePath, seed) : new ModelState();
            var steps = Workload.Generate(seed, 6);

            // A dry run counts the calls; then every call gets each fault that fits it.
            var counter = new FaultyDatabaseIO(seed);
            var dry = Run(folder, basePath, counter, steps, baseState, seed, "dry run");
            Assert.Null(dry);
            Assert.True(counter.Calls > 10, $"only {counter.Calls} calls");
            var injected = 0;
            foreach (var call in counter.Log)
            {
                var plans = call.Kind == IOCallKind.Write ? (FaultPlan[])[FaultPlan.Errno, FaultPlan.Short, FaultPlan.ShortThenFull] : [FaultPlan.Errno];
                foreach (var fault in plans)
                {
                    var io = new FaultyDatabaseIO(seed);
                    io.Faults = c => Choose(c, call.Index, fault);
                    var failure = Run(folder, basePath, io, steps, baseState, seed, $"{(recovering ? "recovering base" : "new database")}, fault {fault} at call {call.Index}");
                    Assert.True(failure is null, failure);
                    injected += io.Injected.Count > 0 ? 1 : 0;
                }
            }
            // The calls come in the same order every run, so each run injected its fault.
            Assert.True(injected >= counter.Calls, $"{injected} runs injected a fault, fewer than the {counter.Calls} calls");
        }
    }

    private enum FaultPlan
    {
        Errno,
        Short,
        ShortThenFull,
    }

    /// <summary>The fault for call <paramref name="call"/>, given the plan for call <paramref name="target"/>.</summary>
    private static IOFault? Choose(IOCall call, long target, FaultPlan plan)
    {
        if (call.Index == target)
        {
            return call.Kind switch
            {
                IOCallKind.Write => plan == FaultPlan.Errno ? new IOFault(IOFault.EIO) : new IOFault(0, ShortWrite: true),
                IOCallKind.Allocate => plan == FaultPlan.Errno ? new IOFault(IOFault.ENOSPC) : null,
                _ => plan == FaultPlan.Errno ? new IOFault(IOFault.EIO) : null,
            };
        }
        // A disk that filled up: the write after a short one fails with ENOSPC.
        return plan == FaultPlan.ShortThenFull && call.Index == target + 1 && call.Kind == IOCallKind.Write ? new IOFault(IOFault.ENOSPC) : null;
    }

    /// <summary>Runs the workload on a copy of the base with <paramref name="io"/>, then reopens on a sound disk; returns the problem or null.</summary>
    private static string? Run(TempFolder folder, string basePath, FaultyDatabaseIO io, List<WorkloadStep> steps, ModelState baseState, int seed, string where)
    {
        var path = Path.Combine(folder.Path, "work");
        if (Directory.Exists(path))
        {
            Directory.Delete(path, recursive: true);
        }
        if (Directory.Exists(basePath))
        {
            CrashCase.CopyFolder(basePath, path);
        }
        var state = baseState;
        var inFlight = (IReadOnlyList<WorkloadOp>?)null;
        string? problem = null;
        Database? database = null;
        try
        {
            database = Database.Open(path, new DatabaseOptions { IO = io, CheckpointLogBytes = 0 });
            foreach (var step in steps)
            {
                try
                {
                    if (step.IsCheckpoint)
                    {
                        database.Checkpoint();
                    }
                    else
                    {
                        Workload.Commit(database, step.Ops!);
                        state = state.After(step.Ops!);
                    }
                }
                catch (DatabaseFailedException e)
                {
                    problem = Unclear(e, path) ?? Stopped(database, path);
                    inFlight = step.Ops;
                    break;
                }
                catch (IOException e) when (!step.IsCheckpoint)
                {
                    // A failed append: nothing of this transaction was committed, and the database goes on.
                    problem = Unclear(e, path);
                }
                catch (IOException e)
                {
                    problem = $"a failed checkpoint threw {e.GetType().Name} instead of stopping the handle: {e.Message}";
                }
                if (problem is not null)
                {
                    break;
                }
            }
        }
        catch (IOException e) when (database is null)
        {
            problem = Unclear(e, path);
        }
        catch (Exception e)
        {
            problem = $"unexpected {e.GetType().Name}: {e}";
        }
        try
        {
            database?.Dispose();
        }
        catch (IOException e)
        {
            problem ??= Unclear(e, path);
        }
        catch (Exception e)
        {
            problem ??= $"closing threw {e.GetType().Name}: {e}";
        }
        var candidates = inFlight is null ? [state] : new List<ModelState> { state, state.After(inFlight) };
        if (problem is null)
        {
            problem = RecoveryCheck.Run(path, candidates).Problem;
            // Then the reopened database takes commits again.
            if (problem is null)
            {
                using var reopened = Database.Open(path, new DatabaseOptions { CheckpointLogBytes = 0 });
                Workload.Commit(reopened, [new WorkloadOp(WorkloadOpKind.Add, "after", [1, 2, 3])]);
                using var snapshot = reopened.Snapshot();
                problem = snapshot["after"].Count == 3 ? null : "a commit after the reopen is missing";
            }
        }
        if (problem is null)
        {
            return null;
        }
        var injected = string.Join("; ", io.Injected.Select(f => $"{f.Fault} at {f.Call}"));
        var kept = CrashCase.Keep("io-error", seed, $"{where} ({injected})", problem, path, basePath, candidates);
        return CrashCase.Describe(kept, seed, $"{where} ({injected}): {problem}");
    }

    /// <summary>A problem when <paramref name="e"/> names neither a file of the database nor its folder's parent (synced when the folder is created).</summary>
    private static string? Unclear(IOException e, string path) =>
        e.Message.Contains(Path.GetDirectoryName(path)!, StringComparison.Ordinal) ? null : $"the error does not name a file of the database: {e.GetType().Name}: {e.Message}";

    /// <summary>A problem when the handle still takes writes after a DatabaseFailedException.</summary>
    private static string? Stopped(Database database, string path)
    {
        try
        {
            using var transaction = database.BeginWrite();
            transaction.Add("x", 1);
            transaction.Commit();
            return "the handle took a commit after it failed";
        }
        catch (DatabaseFailedException e)
        {
            return e.DatabasePath == path ? null : $"the failure names '{e.DatabasePath}'";
        }
        catch (Exception e)
        {
            return $"a write after the failure threw {e.GetType().Name} instead of DatabaseFailedException: {e.Message}";
        }
    }

    /// <summary>A database with a checkpoint, records after it, a torn tail and a stale old log: recovery has work to do.</summary>
    private static ModelState MakeBaseToRecover(string path, int seed)
    {
        var state = new ModelState();
        using (var database = Database.Open(path, new DatabaseOptions { CheckpointLogBytes = 0 }))
        {
            var steps = Workload.Transactions(Workload.Generate(seed + 1000, 8));
            for (var i = 0; i < steps.Count; i++)
            {
                Workload.Commit(database, steps[i]);
                state = state.After(steps[i]);
                if (i == 3)
                {
                    database.Checkpoint();
                }
            }
        }
        var logs = Directory.GetFiles(path, "log-*").Order(StringComparer.Ordinal).ToArray();
        File.AppendAllBytes(logs[^1], [.. Enumerable.Range(0, 100).Select(i => (byte)(i * 7))]);
        File.WriteAllBytes(Path.Combine(path, "log-0000000001"), new byte[64]);
        return state;
    }
}
