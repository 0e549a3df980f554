using Bitfuse.Fields;

namespace Bitfuse.Tests.Query.Execution;

/// <summary>A query run on a worker pool gives the sequential answer, runs on the pool's threads, and surfaces a worker's failure.</summary>
public class QueryWorkerPoolTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(5)]
    public void A_pool_gives_the_sequential_answer_on_its_own_threads(int workers)
    {
        using var fields = TableGenerator.Build(400_000, seed: 3);
        var started = new int[workers];
        var threads = new System.Collections.Concurrent.ConcurrentDictionary<int, bool>();
        using var pool = new QueryWorkerPool(workers, i =>
        {
            Interlocked.Increment(ref started[i]);
            threads[Environment.CurrentManagedThreadId] = true;
        });
        Assert.All(started, s => Assert.Equal(1, s));
        var engine = new QueryEngine();
        foreach (var text in new[] { "city:c1 & 30 <= age < 40 & !churned", "os:(ios | android) | income > 100000", "country:k2 ^ sessions = 0" })
        {
            var query = engine.Compile(text);
            using var sequential = query.Evaluate(fields.Bitmaps);
            using var parallel = query.Evaluate(fields.Bitmaps, new QueryRunOptions { Workers = pool });
            Assert.True(sequential.SetEquals(parallel), text);
            Assert.Equal(sequential.Count, query.Count(fields.Bitmaps, new QueryRunOptions { Workers = pool }));
        }
        Assert.DoesNotContain(Environment.CurrentManagedThreadId, threads.Keys);
        Assert.Equal(workers, threads.Count);
    }

    [Fact]
    public void A_failing_start_hook_fails_the_pool()
    {
        var error = Assert.Throws<InvalidOperationException>(() => new QueryWorkerPool(2, i => throw new IOException($"no cpu for {i}")));
        Assert.Contains("no cpu for", error.Message);
    }
}
