namespace Bitfuse.Server.Hosting;

// The database as the server holds it, with what every request shares.
//
// Invariants:
//  S1. Commits go through CommitGate (at most MaxConcurrentCommits wait for their sync at once, so they share
//      syncs without taking every pool thread); a commit that passed the gate runs to its end even when the
//      client goes away, so an acknowledged-or-not answer never hides a half-done write.
//  S2. Close runs after the HTTP server stopped taking requests and finished (or gave up on) those in flight:
//      it checkpoints when the database is healthy, then disposes the workers and the database.
//  S3. Ready is false from the moment shutdown starts, and once the database has failed.

/// <summary>The served database, its query engine, workers, limits, tokens and metrics.</summary>
internal sealed class ServedDatabase : IDisposable
{
    private volatile bool _draining;
    private volatile string? _failure;
    private int _closed;

    public ServedDatabase(Database database, ServerLimits limits, AccessTokens tokens, QueryWorkers workers)
    {
        Database = database;
        Limits = limits;
        Tokens = tokens;
        Workers = workers;
        Engine = new QueryEngine(new QueryOptions { Limits = limits.Query });
        CommitGate = new SemaphoreSlim(limits.MaxConcurrentCommits, limits.MaxConcurrentCommits);
        Metrics = new ServerMetrics(() => _closed == 0 ? TryStatistics() : null);
        Started = DateTimeOffset.UtcNow;
    }

    public Database Database { get; }

    public QueryEngine Engine { get; }

    public ServerLimits Limits { get; }

    public AccessTokens Tokens { get; }

    public QueryWorkers Workers { get; }

    /// <summary>Stops queries at their time limit from a thread of its own (the thread pool may be busy with them).</summary>
    public QueryDeadlines Deadlines { get; } = new();

    public ServerMetrics Metrics { get; }

    public SemaphoreSlim CommitGate { get; }

    public DateTimeOffset Started { get; }

    /// <summary>Why the server is not ready, or null when it is (S3).</summary>
    public string? NotReadyBecause => _draining ? "shutting down" : _failure;

    /// <summary>Marks the server as shutting down (S3).</summary>
    public void Drain() => _draining = true;

    /// <summary>Records that the database stopped (a failed sync or checkpoint).</summary>
    public void Failed(Exception e) => _failure ??= "the database stopped after an I/O failure: " + e.Message;

    /// <summary>Checkpoints (when healthy) and closes (S2).</summary>
    public void Close()
    {
        if (Interlocked.Exchange(ref _closed, 1) != 0)
        {
            return;
        }
        try
        {
            if (_failure is null)
            {
                Database.Checkpoint();
            }
        }
        finally
        {
            Workers.Dispose();
            Deadlines.Dispose();
            Database.Dispose();
            Metrics.Dispose();
            CommitGate.Dispose();
        }
    }

    public void Dispose() => Close();

    private DatabaseStatistics? TryStatistics()
    {
        try
        {
            return Database.Statistics;
        }
        catch (ObjectDisposedException)
        {
            return null;
        }
    }
}
