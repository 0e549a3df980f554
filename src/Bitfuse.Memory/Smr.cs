// Global Unbounded Sequences (GUS) safe memory reclamation, after FreeBSD's subr_smr.c, for user space.
//
// State: a shared write sequence wr_seq, a cached read sequence rd_seq, and one reader record per
// thread holding c_seq, the wr_seq value the thread saw when it entered its current read section, or
// IDLE (0). Sequences are odd (start odd, even increment), so they are never IDLE, and are compared only
// by signed difference, so the 64-bit counter may wrap.
//
// Invariants:
//  1. rd_seq <= wr_seq, and both only move forward (rd_seq is raised by CAS, never lowered).
//  2. Enter stores c_seq = wr_seq and then (Default, Deferred) issues a full fence before any load of
//     protected data. In Lazy mode the store is plain; a poller issues a process-wide barrier before it
//     scans, which orders every pending reader store before the scan.
//  3. A writer unlinks an object before it calls Advance; Advance is a locked read-modify-write (a full
//     fence), so the unlink is visible to anyone who sees the new wr_seq. The returned goal expires when
//     no reader that could have seen the object is still in its section.
//  4. Poll(goal) is true only if, after reading wr_seq, every record was seen IDLE or with c_seq >= goal.
//     Default mode needs no fence in the poller: the Advance that produced the goal was a locked
//     instruction after the unlink. Deferred mode fences (its Advance wrote nothing); Lazy mode issues the
//     process-wide barrier. A record below rd_seq is clamped to rd_seq: it loaded wr_seq before an earlier scan
//     raised rd_seq but stored it after, so its loads already see that scan's unlinks.
//  5. Deferred mode: Advance may return wr_seq + increment without writing; polling such a goal first moves
//     wr_seq up to it by CAS, so a reader entering afterwards stores a value >= goal.
//  6. Read sections do not nest (as in FreeBSD): a nested Enter throws. Wait/Synchronize inside the
//     caller's own section would wait for itself, so they throw too.
//  7. A reader record belongs to one thread; it is released (IDLE, free for reuse) when its thread exits.
using System.Runtime.CompilerServices;

namespace Bitfuse.Memory;

/// <summary>
/// Safe memory reclamation with global unbounded sequences (GUS): lock-free readers mark short read sections
/// with <see cref="Enter"/>; writers unlink objects, take a goal from <see cref="Advance"/>, and free or reuse the
/// objects once <see cref="Poll"/> says the goal has expired, that is, once every reader that might still see them
/// has left its section. Zones created with an <see cref="Smr"/> use it to delay reuse of freed items.
/// </summary>
public sealed class Smr : IDisposable
{
    private static readonly SlotIdPool Ids = new();

    [ThreadStatic]
    private static SmrReader? t_lastReader;

    private PaddedSequence _wrSeq;
    private PaddedSequence _rdSeq;
    private readonly long _increment;
    private readonly int _deferredLimit;
    private readonly bool _lazy;
    private readonly bool _deferred;
    private readonly bool _debug;
    private readonly bool _entryStoreWithheld;
    private readonly int _id;
    private readonly Lock _registryLock = new();
    private SmrReader[] _readers = [];
    private readonly Lock _deferLock = new();
    private readonly List<(long Goal, Action Action)> _deferredActions = [];
    private int _deferredActionCount;
    private bool _disposed;

    /// <summary>Creates an SMR domain.</summary>
    /// <param name="options">Mode and test knobs; <see langword="null"/> for the defaults.</param>
    public Smr(SmrOptions? options = null)
    {
        options ??= new SmrOptions();
        options.Validate();
        Options = options;
        _increment = options.Increment;
        _deferredLimit = options.DeferredAdvanceLimit;
        _lazy = options.Mode == SmrMode.Lazy;
        _deferred = options.Mode == SmrMode.Deferred;
        _debug = options.DebugChecks ?? MemoryDebug.Enabled;
        _entryStoreWithheld = options.EntryStoreWithheld;
        _wrSeq.Value = options.StartSequence;
        _rdSeq.Value = options.StartSequence;
        _id = Ids.Rent();
    }

    /// <summary>The options this instance was created with.</summary>
    public SmrOptions Options { get; }

    /// <summary>The mode.</summary>
    public SmrMode Mode => Options.Mode;

    /// <summary>The current write sequence (for diagnostics and tests).</summary>
    public long WriteSequence => Volatile.Read(ref _wrSeq.Value);

    /// <summary>The cached read sequence: every goal at or before it has expired (for diagnostics and tests).</summary>
    public long ReadSequence => Volatile.Read(ref _rdSeq.Value);

    /// <summary>How many reader records exist (live threads plus records waiting for reuse).</summary>
    public int ReaderRecords => Volatile.Read(ref _readers).Length;

    /// <summary>How many reader records belong to threads that have not exited.</summary>
    public int ActiveReaderRecords
    {
        get
        {
            var count = 0;
            foreach (var r in Volatile.Read(ref _readers))
            {
                if (Volatile.Read(ref r.ThreadId) != 0)
                {
                    count++;
                }
            }
            return count;
        }
    }

    /// <summary>How many <see cref="Defer"/> actions wait for their goal.</summary>
    public int PendingDeferredActions => Volatile.Read(ref _deferredActionCount);

    /// <summary>
    /// Enters a read section on the calling thread; dispose the returned scope (<c>using (smr.Enter()) { ... }</c>)
    /// to leave it. Sections do not nest: entering while already inside a section of this instance throws
    /// <see cref="InvalidOperationException"/> (FreeBSD forbids nesting too; a nested exit would end the outer
    /// section early). Sections must be short and must not block; leave on the thread that entered.
    /// </summary>
    /// <exception cref="InvalidOperationException">The calling thread is already in a read section of this instance.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ReadScope Enter()
    {
        var reader = CurrentReader();
        var seq = Volatile.Read(ref _wrSeq.Value);
        if (_entryStoreWithheld)
        {
            reader.Withheld = true;
            return new ReadScope(reader);
        }
        if (_lazy)
        {
            if (reader.Seq.Value != Sequence.Idle)
            {
                ThrowNested();
            }
            Volatile.Write(ref reader.Seq.Value, seq);
        }
        else if (Interlocked.CompareExchange(ref reader.Seq.Value, seq, Sequence.Idle) != Sequence.Idle)
        {
            // The fenced store and the nesting check in one locked instruction; a nested Enter changes nothing.
            ThrowNested();
        }
        return new ReadScope(reader);
    }

    /// <summary>Leaves the calling thread's read section (what disposing the <see cref="ReadScope"/> does).</summary>
    /// <exception cref="InvalidOperationException">The calling thread is not in a read section of this instance.</exception>
    public void Exit() => CurrentReader().Exit();

    /// <summary>True when the calling thread is inside a read section of this instance.</summary>
    public bool IsInReadSection
    {
        get
        {
            var reader = FindCurrentReader();
            return reader is not null && Volatile.Read(ref reader.Seq.Value) != Sequence.Idle;
        }
    }

    /// <summary>
    /// Starts a new grace period and returns its goal: objects unlinked before this call may be reclaimed once
    /// <see cref="Poll"/>(goal) is true. One goal can cover a whole batch of unlinked objects.
    /// Runs expired <see cref="Defer"/> actions.
    /// </summary>
    /// <exception cref="InvalidOperationException">Debug checks are on and the caller is inside a read section.</exception>
    public long Advance()
    {
        var goal = AdvanceCore();
        RunExpiredActions();
        return goal;
    }

    internal long AdvanceCore()
    {
        if (_debug && IsInReadSection)
        {
            throw new InvalidOperationException("Advance inside a read section: a reader must not start grace periods (FreeBSD rule).");
        }
        if (_deferred && (_disposed ? FindCurrentReader() : CurrentReader()) is { } reader)
        {
            if (++reader.DeferredAdvances < _deferredLimit)
            {
                // One step ahead of wr_seq without writing the shared line; Poll moves wr_seq up to it.
                return unchecked(Volatile.Read(ref _wrSeq.Value) + _increment);
            }
            reader.DeferredAdvances = 0;
        }
        return unchecked(Interlocked.Add(ref _wrSeq.Value, _increment));
    }

    /// <summary>
    /// True when <paramref name="goal"/> has expired: every reader is idle or entered at or after it. Never waits.
    /// The fast path reads only the cached read sequence; the slow path scans every reader record. Runs expired
    /// <see cref="Defer"/> actions when it scans.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="goal"/> was not returned by <see cref="Advance"/> (it lies in the future).</exception>
    public bool Poll(long goal)
    {
        if (Sequence.Leq(goal, Volatile.Read(ref _rdSeq.Value)))
        {
            return true;
        }
        var expired = PollSlow(goal);
        RunExpiredActions();
        return expired;
    }

    /// <summary>The poll's fast path alone: true when <paramref name="goal"/> is at or before the cached read sequence.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal bool Expired(long goal) => Sequence.Leq(goal, Volatile.Read(ref _rdSeq.Value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal bool PollCore(long goal) =>
        Sequence.Leq(goal, Volatile.Read(ref _rdSeq.Value)) || PollSlow(goal);

    private bool PollSlow(long goal)
    {
        // Read wr_seq before scanning: the scan result is only valid up to it.
        var wr = Volatile.Read(ref _wrSeq.Value);
        if (Sequence.Gt(goal, wr))
        {
            if (!_deferred || Sequence.Gt(goal, unchecked(wr + _increment)))
            {
                throw new ArgumentOutOfRangeException(nameof(goal), goal, $"The goal lies beyond the write sequence {wr}: it did not come from Advance.");
            }
            // A deferred goal: move wr_seq up to it, so readers entering from now on store at least the goal.
            while (Sequence.Gt(goal, wr))
            {
                var seen = Interlocked.CompareExchange(ref _wrSeq.Value, goal, wr);
                if (seen == wr)
                {
                    wr = goal;
                    break;
                }
                wr = seen;
            }
        }
        var rd = Volatile.Read(ref _rdSeq.Value);
        if (_lazy)
        {
            ProcessWideBarrier();
        }
        else if (_deferred)
        {
            Interlocked.MemoryBarrier();
        }

        var min = wr;
        foreach (var reader in Volatile.Read(ref _readers))
        {
            var c = Volatile.Read(ref reader.Seq.Value);
            if (c == Sequence.Idle)
            {
                continue;
            }
            if (Sequence.Lt(c, rd))
            {
                c = rd; // stale: see invariant 4
            }
            if (Sequence.Lt(c, min))
            {
                min = c;
            }
        }
        RaiseReadSequence(min);
        return Sequence.Leq(goal, min);
    }

    // Out of line: the barrier is a native call, and its P/Invoke frame, inlined, would be set up by every scan
    // whatever the mode (every zone refill of the default mode polls here).
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ProcessWideBarrier() => Interlocked.MemoryBarrierProcessWide();

    private void RaiseReadSequence(long value)
    {
        var rd = Volatile.Read(ref _rdSeq.Value);
        while (Sequence.Lt(rd, value))
        {
            var seen = Interlocked.CompareExchange(ref _rdSeq.Value, value, rd);
            if (seen == rd)
            {
                return;
            }
            rd = seen;
        }
    }

    /// <summary>Waits (spinning, then yielding) until <paramref name="goal"/> has expired.</summary>
    /// <exception cref="InvalidOperationException">The caller is inside its own read section (it would wait for itself).</exception>
    public void Wait(long goal)
    {
        WaitCore(goal);
        RunExpiredActions();
    }

    internal void WaitCore(long goal)
    {
        if (PollCore(goal))
        {
            return;
        }
        if (IsInReadSection)
        {
            throw new InvalidOperationException("Waiting for a grace period inside the caller's own read section would never end.");
        }
        var spinner = new SpinWait();
        while (!PollCore(goal))
        {
            spinner.SpinOnce(sleep1Threshold: 30);
        }
    }

    /// <summary>Waits until every read section that was open when this call began has ended: <c>Wait(Advance())</c>.</summary>
    public void Synchronize()
    {
        WaitCore(AdvanceCore());
        RunExpiredActions();
    }

    /// <summary>
    /// Runs <paramref name="action"/> once <paramref name="goal"/> has expired, for resources that are not zone items
    /// (an old file mapping, a replaced table). The action runs on whichever thread next finds the goal expired
    /// in <see cref="Advance"/>, <see cref="Defer"/>, a scanning <see cref="Poll"/>, <see cref="Wait"/> or
    /// <see cref="Synchronize"/>, outside any lock; <see cref="Synchronize"/> surely runs every action whose goal it
    /// covers, and <see cref="Dispose"/> waits for and runs all that remain. An exception from an action propagates
    /// to the call that ran it (the action is not run again).
    /// </summary>
    public void Defer(long goal, Action action)
    {
        ArgumentNullException.ThrowIfNull(action);
        ObjectDisposedException.ThrowIf(_disposed, this);
        lock (_deferLock)
        {
            _deferredActions.Add((goal, action));
            _deferredActionCount = _deferredActions.Count;
        }
        RunExpiredActions();
    }

    private void RunExpiredActions()
    {
        if (Volatile.Read(ref _deferredActionCount) == 0 || IsInReadSection)
        {
            return;
        }
        while (true)
        {
            Action? run = null;
            lock (_deferLock)
            {
                for (var i = 0; i < _deferredActions.Count; i++)
                {
                    if (PollCore(_deferredActions[i].Goal))
                    {
                        run = _deferredActions[i].Action;
                        _deferredActions.RemoveAt(i);
                        _deferredActionCount = _deferredActions.Count;
                        break;
                    }
                }
            }
            if (run is null)
            {
                return;
            }
            run();
        }
    }

    /// <summary>Waits for every pending <see cref="Defer"/> action's goal and runs it; then releases the instance's id.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        while (true)
        {
            long goal;
            lock (_deferLock)
            {
                if (_deferredActions.Count == 0)
                {
                    break;
                }
                goal = _deferredActions[0].Goal;
            }
            WaitCore(goal);
            RunExpiredActions();
        }
        _disposed = true;
        Ids.Return(_id);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal SmrReader CurrentReader() => FindCurrentReader() ?? RegisterReader();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private SmrReader? FindCurrentReader()
    {
        // One-entry cache first: most threads use one Smr, and this is two dependent loads instead of five.
        var last = t_lastReader;
        if (last is not null && last.Owner == this)
        {
            return last;
        }
        return FindCurrentReaderInSlots();
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private SmrReader? FindCurrentReaderInSlots()
    {
        var slots = ThreadSlots.CurrentOrNull;
        if (slots is not null)
        {
            var readers = slots.Readers;
            if ((uint)_id < (uint)readers.Length)
            {
                var reader = readers[_id];
                if (reader is not null && reader.Owner == this)
                {
                    t_lastReader = reader;
                    return reader;
                }
            }
        }
        return null;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private SmrReader RegisterReader()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var slots = ThreadSlots.Current;
        var threadId = Environment.CurrentManagedThreadId;
        SmrReader? reader = null;
        lock (_registryLock)
        {
            // Reuse the record of an exited thread before growing the registry.
            foreach (var r in _readers)
            {
                if (Volatile.Read(ref r.ThreadId) == 0)
                {
                    r.ThreadId = threadId;
                    r.DeferredAdvances = 0;
                    reader = r;
                    break;
                }
            }
            if (reader is null)
            {
                reader = new SmrReader(this, threadId, _debug);
                var grown = new SmrReader[_readers.Length + 1];
                _readers.CopyTo(grown, 0);
                grown[^1] = reader;
                Volatile.Write(ref _readers, grown);
            }
        }
        ThreadSlots.Store(ref slots.Readers, _id, reader);
        t_lastReader = reader;
        return reader;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowNested() =>
        throw new InvalidOperationException("Read sections do not nest: this thread is already inside a read section of this Smr.");

}
