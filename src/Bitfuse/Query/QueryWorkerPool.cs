namespace Bitfuse;

/// <summary>
/// Dedicated threads that run the key ranges of parallel queries, each started through a caller's hook (to pin it
/// to a CPU, for example with Bitfuse.Isolation's <c>ThreadAffinity.PinCurrentThread</c>), which the engine
/// itself never references. Pass it in <see cref="QueryRunOptions.Workers"/>.
/// Invariants: one job runs at a time (callers queue on a lock); a job's ranges are claimed with one atomic
/// counter, so each runs exactly once; the calling thread waits and takes no range itself, so the work runs only
/// on the pool's (possibly pinned) threads; the first exception of any range is rethrown to the caller after every
/// worker has finished its part.
/// </summary>
public sealed class QueryWorkerPool : IDisposable
{
    private readonly Thread[] _threads;
    private readonly object _jobLock = new();
    private readonly SemaphoreSlim _start = new(0);
    private readonly CountdownEvent _done = new(1);
    private Action<int>? _body;
    private int _count;
    private int _next;
    private Exception? _error;
    private volatile bool _stopping;

    /// <summary>Starts <paramref name="workers"/> threads; each calls <paramref name="onStart"/> with its index (0..workers-1) first.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Fewer than one worker.</exception>
    public QueryWorkerPool(int workers, Action<int>? onStart = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(workers, 1);
        _threads = new Thread[workers];
        using var started = new CountdownEvent(workers);
        Exception? startError = null;
        for (var i = 0; i < workers; i++)
        {
            var index = i;
            _threads[i] = new Thread(() =>
            {
                try
                {
                    onStart?.Invoke(index);
                }
                catch (Exception e)
                {
                    Interlocked.CompareExchange(ref startError, e, null);
                }
                started.Signal();
                Loop();
            })
            {
                IsBackground = true,
                Name = $"bitfuse query worker {index}",
            };
            _threads[i].Start();
        }
        started.Wait();
        if (startError is not null)
        {
            Dispose();
            throw new InvalidOperationException($"a query worker could not start: {startError.Message}", startError);
        }
    }

    /// <summary>How many worker threads.</summary>
    public int Workers => _threads.Length;

    /// <summary>Runs <paramref name="body"/> for every index in [0, <paramref name="count"/>) on the workers and waits for all.</summary>
    internal void For(int count, Action<int> body)
    {
        ObjectDisposedException.ThrowIf(_stopping, this);
        lock (_jobLock)
        {
            _body = body;
            _count = count;
            _next = 0;
            _error = null;
            _done.Reset(_threads.Length);
            _start.Release(_threads.Length);
            _done.Wait();
            _body = null;
            if (_error is not null)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(_error);
            }
        }
    }

    /// <summary>Stops the threads (after the running job, if any).</summary>
    public void Dispose()
    {
        if (_stopping)
        {
            return;
        }
        _stopping = true;
        lock (_jobLock)
        {
            _start.Release(_threads.Length);
        }
        foreach (var thread in _threads)
        {
            thread.Join();
        }
        _start.Dispose();
        _done.Dispose();
    }

    private void Loop()
    {
        while (true)
        {
            _start.Wait();
            if (_stopping)
            {
                return;
            }
            var body = _body!;
            int index;
            while ((index = Interlocked.Increment(ref _next) - 1) < _count)
            {
                try
                {
                    body(index);
                }
                catch (Exception e)
                {
                    Interlocked.CompareExchange(ref _error, e, null);
                }
            }
            _done.Signal();
        }
    }
}
