using Bitfuse.Server.Hosting;

namespace Bitfuse.Server.Tests.Hosting;

/// <summary>The deadline clock: it cancels at the deadline, never after disposal, and does not hoard ended entries.</summary>
public class QueryDeadlinesTests
{
    [Fact]
    public void A_deadline_that_passes_cancels_its_token()
    {
        using var deadlines = new QueryDeadlines();
        using var deadline = deadlines.Start(TimeSpan.FromMilliseconds(1), CancellationToken.None);

        Assert.True(deadline.Token.WaitHandle.WaitOne(TimeSpan.FromSeconds(30)), "the deadline never fired");
        Assert.True(deadline.Token.IsCancellationRequested);
    }

    [Fact]
    public void Ended_queries_do_not_stay_queued_until_their_deadline()
    {
        using var deadlines = new QueryDeadlines();
        using var running = deadlines.Start(TimeSpan.FromHours(1), CancellationToken.None);
        for (var i = 0; i < 10_000; i++)
        {
            using var deadline = deadlines.Start(TimeSpan.FromHours(1), CancellationToken.None);
        }

        // One query is still running: the ended ones may linger only up to the compaction threshold.
        Assert.InRange(deadlines.Queued, 1, (2 * 1) + QueryDeadlines.CompactAbove + 1);
        Assert.False(running.Token.IsCancellationRequested);
    }

    [Fact]
    public void A_running_query_keeps_its_deadline_across_compactions()
    {
        using var deadlines = new QueryDeadlines();
        using var running = deadlines.Start(TimeSpan.FromMilliseconds(300), CancellationToken.None);
        for (var i = 0; i < 1_000; i++)
        {
            using var deadline = deadlines.Start(TimeSpan.FromHours(1), CancellationToken.None);
        }

        Assert.True(running.Token.WaitHandle.WaitOne(TimeSpan.FromSeconds(30)), "the compaction lost the running deadline");
    }

    [Fact]
    public void A_cancelled_caller_cancels_the_deadline_token()
    {
        using var deadlines = new QueryDeadlines();
        using var caller = new CancellationTokenSource();
        using var deadline = deadlines.Start(TimeSpan.FromHours(1), caller.Token);

        caller.Cancel();

        Assert.True(deadline.Token.IsCancellationRequested);
    }
}
