namespace Bitfuse.Server.Hosting;

/// <summary>
/// Cancels queries at their deadlines from one dedicated thread.
/// Invariants:
/// - a deadline fires on this class's own thread, never on the thread pool: the queries it stops are what keeps
///   the pool busy, so a pool timer (<c>CancelAfter</c>) could fire only after the run it should stop has ended;
/// - a source is cancelled at or after its deadline, at most once, and never after it was disposed (disposal
///   removes it under the same lock the thread cancels under);
/// - the thread sleeps until the earliest deadline or a new earlier one, and ends when the clock is disposed;
/// - an ended entry stays queued only until the ended ones outnumber the live ones (then the queue is rebuilt
///   from the live ones), so the queue holds at most twice the running queries plus <see cref="CompactAbove"/>,
///   however long the time limit.
/// </summary>
internal sealed class QueryDeadlines : IDisposable
{
    private readonly PriorityQueue<Entry, long> _due = new();
    private readonly object _gate = new();
    private readonly Thread _thread;
    private int _ended;
    private bool _disposed;

    /// <summary>Ended entries below this many are left for the thread to drop when they come due.</summary>
    internal const int CompactAbove = 64;

    public QueryDeadlines()
    {
        _thread = new Thread(Loop) { IsBackground = true, Name = "bitfuse-query-deadlines" };
        _thread.Start();
    }

    /// <summary>A source cancelled when <paramref name="linked"/> is, or once <paramref name="timeout"/> has passed.</summary>
    public Deadline Start(TimeSpan timeout, CancellationToken linked)
    {
        var source = CancellationTokenSource.CreateLinkedTokenSource(linked);
        var entry = new Entry(source);
        var at = Environment.TickCount64 + Math.Max(0, (long)Math.Ceiling(timeout.TotalMilliseconds));
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _due.Enqueue(entry, at);
            if (_due.Peek() == entry)
            {
                Monitor.PulseAll(_gate);
            }
        }
        return new Deadline(this, entry);
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            Monitor.PulseAll(_gate);
        }
        _thread.Join();
    }

    private void Loop()
    {
        lock (_gate)
        {
            while (!_disposed)
            {
                if (!_due.TryPeek(out var entry, out var at))
                {
                    Monitor.Wait(_gate);
                    continue;
                }
                var wait = at - Environment.TickCount64;
                if (wait > 0)
                {
                    Monitor.Wait(_gate, TimeSpan.FromMilliseconds(wait));
                    continue;
                }
                _due.Dequeue();
                if (entry.Ended)
                {
                    _ended--;
                }
                else
                {
                    entry.Source.Cancel();
                }
            }
        }
    }

    private void End(Entry entry)
    {
        lock (_gate)
        {
            entry.Ended = true;
            _ended++;
            if (_ended > CompactAbove && _ended * 2 > _due.Count)
            {
                DropEnded();
            }
        }
        entry.Source.Dispose();
    }

    /// <summary>The number of queued entries, ended or not (for tests).</summary>
    internal int Queued
    {
        get
        {
            lock (_gate)
            {
                return _due.Count;
            }
        }
    }

    // Under _gate: rebuilds the queue from the live entries.
    private void DropEnded()
    {
        var live = new List<(Entry, long)>(_due.Count - _ended);
        foreach (var (entry, at) in _due.UnorderedItems)
        {
            if (!entry.Ended)
            {
                live.Add((entry, at));
            }
        }
        _due.Clear();
        _due.EnqueueRange(live);
        _ended = 0;
    }

    internal sealed class Entry(CancellationTokenSource source)
    {
        public CancellationTokenSource Source { get; } = source;

        public bool Ended { get; set; }
    }

    /// <summary>One query's deadline: its token, and disposal when the query is done.</summary>
    public readonly struct Deadline : IDisposable
    {
        private readonly QueryDeadlines _owner;
        private readonly Entry _entry;

        internal Deadline(QueryDeadlines owner, Entry entry)
        {
            _owner = owner;
            _entry = entry;
        }

        public CancellationToken Token => _entry.Source.Token;

        public void Dispose() => _owner.End(_entry);
    }
}
