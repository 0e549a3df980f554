using System.Collections.Concurrent;
using Bitfuse.Isolation;
using Bitfuse.Isolation.Pinning;

namespace Bitfuse.Server.Hosting;

// Where queries run: the thread pool, or a fixed set of dedicated threads each pinned to one CPU.
//
// Invariants:
//  W1. A query runs off the request's thread, so a request can stop waiting at its deadline whatever the query
//      does; the work owns everything it reads (its snapshot) and releases it when it ends, answered or not.
//  W2. A work item whose token is cancelled before a worker takes it never runs.
//  W3. Pinned workers take items in arrival order from one queue; disposing the pool completes the queue, the
//      workers finish the items already taken and exit, and items never taken are cancelled.

/// <summary>Runs query work on the thread pool, or on dedicated worker threads pinned through Bitfuse.Isolation.</summary>
internal sealed class QueryWorkers : IDisposable
{
    private readonly BlockingCollection<WorkItem>? _queue;
    private readonly List<PinnedThread> _threads = [];

    private QueryWorkers(IReadOnlyList<WorkerInfo> workers, BlockingCollection<WorkItem>? queue)
    {
        Workers = workers;
        _queue = queue;
    }

    /// <summary>The dedicated workers (empty when queries run on the thread pool).</summary>
    public IReadOnlyList<WorkerInfo> Workers { get; private set; }

    /// <summary>Queries run on the thread pool.</summary>
    public static QueryWorkers ThreadPool() => new([], null);

    /// <summary>
    /// <paramref name="count"/> threads, pinned in turn to the CPUs of <paramref name="cpus"/> (default: the CPUs the
    /// process may use). Returns once every thread is pinned or has reported why not.
    /// </summary>
    /// <exception cref="ArgumentException">The count is not positive, or a CPU is one the process may not use.</exception>
    public static QueryWorkers Pinned(int count, CpuSet? cpus)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1, nameof(count));
        var allowed = ThreadAffinity.Get();
        cpus ??= allowed;
        if (cpus.IsEmpty)
        {
            throw new ArgumentException("the CPU list names no CPU");
        }
        if (!allowed.IsEmpty && !cpus.IsSubsetOf(allowed))
        {
            throw new ArgumentException($"CPUs {cpus.Except(allowed)} are not ones this process may run on ({allowed})");
        }
        var queue = new BlockingCollection<WorkItem>(new ConcurrentQueue<WorkItem>());
        var pool = new QueryWorkers([], queue);
        var list = cpus.ToArray();
        var infos = new List<WorkerInfo>(count);
        for (var i = 0; i < count; i++)
        {
            var thread = PinnedThread.Start(new PinnedThreadOptions(list[i % list.Length]) { Name = $"bitfuse query {i}" }, _ => pool.Work());
            thread.WaitPrepared();
            pool._threads.Add(thread);
            infos.Add(new WorkerInfo(thread.Options.Cpu, thread.Pinned));
        }
        pool.Workers = infos;
        return pool;
    }

    /// <summary>Runs <paramref name="work"/> on a worker and waits for it until <paramref name="cancellation"/> (W1, W2).</summary>
    public Task<T> Run<T>(Func<T> work, CancellationToken cancellation)
    {
        if (_queue is null)
        {
            return Task.Run(work, cancellation).WaitAsync(cancellation);
        }
        var item = new WorkItem(() => work(), cancellation);
        _queue.Add(item, cancellation);
        return Completion<T>(item, cancellation);
    }

    private static async Task<T> Completion<T>(WorkItem item, CancellationToken cancellation) =>
        (T)(await item.Done.Task.WaitAsync(cancellation).ConfigureAwait(false))!;

    public void Dispose()
    {
        if (_queue is null)
        {
            return;
        }
        _queue.CompleteAdding();
        foreach (var thread in _threads)
        {
            thread.Join();
        }
        while (_queue.TryTake(out var left))
        {
            left.Done.TrySetCanceled();
        }
        _queue.Dispose();
    }

    private void Work()
    {
        foreach (var item in _queue!.GetConsumingEnumerable())
        {
            if (item.Cancellation.IsCancellationRequested)
            {
                item.Done.TrySetCanceled(item.Cancellation);
                continue;
            }
            try
            {
                item.Done.TrySetResult(item.Work());
            }
            catch (Exception e)
            {
                item.Done.TrySetException(e);
            }
        }
    }

    private sealed class WorkItem(Func<object?> work, CancellationToken cancellation)
    {
        public Func<object?> Work { get; } = work;

        public CancellationToken Cancellation { get; } = cancellation;

        public TaskCompletionSource<object?> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}

/// <summary>One dedicated query worker: its CPU and whether pinning it there succeeded.</summary>
public sealed record WorkerInfo(int Cpu, bool Pinned);
