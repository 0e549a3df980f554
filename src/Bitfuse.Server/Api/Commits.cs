using Bitfuse.Server.Hosting;

namespace Bitfuse.Server;

/// <summary>
/// Runs a write transaction for a request through the commit gate (ServedDatabase S1): waits for a place while the
/// request may still be cancelled, then builds and commits without looking at the request again, so a commit that
/// started always ends, durable, before the server answers or shuts down.
/// </summary>
internal static class Commits
{
    public static async Task<CommitResponse> RunAsync(ServedDatabase served, int operations, Action<WriteTransaction> build, CancellationToken waiting)
    {
        if (served.NotReadyBecause is { } reason)
        {
            throw new RequestRejectedException(503, ProblemTypes.Unavailable, "The server is not taking writes", reason);
        }
        await served.CommitGate.WaitAsync(waiting).ConfigureAwait(false);
        try
        {
            // Off the request's thread: BeginWrite waits for the writer and Commit for the sync.
            return await Task.Run(() =>
            {
                try
                {
                    using var tx = served.Database.BeginWrite();
                    build(tx);
                    tx.Commit();
                }
                catch (DatabaseFailedException e)
                {
                    served.Failed(e);
                    throw;
                }
                served.Metrics.Committed(operations);
                return new CommitResponse(operations, served.Database.Statistics.Lsn);
            }, CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            served.CommitGate.Release();
        }
    }
}
