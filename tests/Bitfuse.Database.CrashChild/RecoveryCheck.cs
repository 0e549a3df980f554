namespace Bitfuse.Persistence.Crash;

/// <summary>What opening a database after a crash found: the state it matched, or the problem.</summary>
public sealed record RecoveryOutcome(ModelState? State, string? Problem);

/// <summary>
/// The check after every crash: the database opens, <see cref="Database.Verify"/> finds nothing, and it holds
/// exactly one of the candidate states — the one its last LSN names, which must be among them (every
/// acknowledged commit present, nothing later than the commits that may have reached the disk, and no
/// commit in part).
/// </summary>
public static class RecoveryCheck
{
    /// <summary>Opens <paramref name="folder"/> and compares it with <paramref name="candidates"/> (states with consecutive LSNs).</summary>
    public static RecoveryOutcome Run(string folder, IReadOnlyList<ModelState> candidates, DatabaseOptions? options = null)
    {
        Database database;
        try
        {
            database = Database.Open(folder, options ?? new DatabaseOptions { CheckpointLogBytes = 0 });
        }
        catch (IOException e)
        {
            return new RecoveryOutcome(null, $"the database does not open: {e.GetType().Name}: {e.Message}");
        }
        using (database)
        {
            return Compare(database, candidates);
        }
    }

    /// <summary>Compares an open <paramref name="database"/> with <paramref name="candidates"/>.</summary>
    public static RecoveryOutcome Compare(Database database, IReadOnlyList<ModelState> candidates)
    {
        var problems = database.Verify();
        if (problems.Count > 0)
        {
            return new RecoveryOutcome(null, $"verify found {problems.Count} problems, the first: {problems[0].Message}");
        }
        using var snapshot = database.Snapshot();
        var match = candidates.FirstOrDefault(c => c.Lsn == snapshot.Lsn);
        if (match is null)
        {
            return new RecoveryOutcome(null, $"the database holds LSN {snapshot.Lsn}; it may hold {candidates[0].Lsn} to {candidates[^1].Lsn}");
        }
        try
        {
            var difference = match.DifferenceFrom(snapshot);
            return difference is null ? new RecoveryOutcome(match, null) : new RecoveryOutcome(null, $"at LSN {snapshot.Lsn}: {difference}");
        }
        catch (IOException e)
        {
            return new RecoveryOutcome(null, $"reading LSN {snapshot.Lsn} failed: {e.GetType().Name}: {e.Message}");
        }
    }
}
