namespace Bitfuse.Storage;

// The use-count protocol that guards a mapping which the writer replaces in place.
//
// State: use_count (readers inside the mapping), resizing (0 or 1).
// Reader:  increment use_count; if resizing is set, decrement and fall back to a system call;
//          otherwise read the mapping's base, copy, decrement.
// Writer:  CAS resizing 0 -> 1 (spinning while another resize holds it); spin until use_count is 0;
//          write, unmap, remap, publish the new base; clear resizing.
//
// Invariants:
//  I1. While a reader's increment is visible, no writer is past its drain: the writer's CAS and the
//      reader's increment are both full fences, so either the reader sees the flag (and backs out) or
//      the writer sees the count (and waits). This needs the reader to check the flag AFTER its
//      increment; checking before it lets a writer drain and unmap between the check and the
//      increment (WiredTiger WT-12099).
//  I2. Only the thread whose CAS set resizing clears it. A thread that did not set it clearing it
//      would let readers into a mapping another writer is unmapping (WT-11555 / WT-12649).
//  I3. Readers never block on the gate: a reader that meets a resize goes around it.
//
// UseCountOrdering.Original reproduces the pre-fix orderings for regression tests only.

/// <summary>The use-count gate of <see cref="GrowthStrategy.UseCount"/>: a reader counter plus a resizing flag.</summary>
internal sealed class UseCountGate
{
    private int _useCount;
    private int _resizing;

    public UseCountGate(UseCountOrdering ordering = UseCountOrdering.Current) => Ordering = ordering;

    /// <summary>The protocol ordering this gate runs.</summary>
    public UseCountOrdering Ordering { get; }

    /// <summary>A test hook called between protocol steps with the step and, where it applies, a mapping base.</summary>
    public Action<UseCountStep, nint>? Hook { get; set; }

    /// <summary>Readers inside the mapping now.</summary>
    public int UseCount => Volatile.Read(ref _useCount);

    /// <summary>True while a resize holds the flag.</summary>
    public bool Resizing => Volatile.Read(ref _resizing) != 0;

    /// <summary>Counts a reader in. False means a resize is in progress: the reader must not touch the mapping.</summary>
    public bool TryEnterReader()
    {
        if (Ordering == UseCountOrdering.Current)
        {
            Interlocked.Increment(ref _useCount);
            Hook?.Invoke(UseCountStep.ReaderIncremented, 0);
            if (Volatile.Read(ref _resizing) != 0)
            {
                Interlocked.Decrement(ref _useCount);
                return false;
            }
            return true;
        }

        if (Volatile.Read(ref _resizing) != 0)
        {
            return false;
        }
        Hook?.Invoke(UseCountStep.ReaderCheckedFlag, 0);
        Interlocked.Increment(ref _useCount);
        return true;
    }

    /// <summary>Counts a reader out (after a successful <see cref="TryEnterReader"/>).</summary>
    public void ExitReader() => Interlocked.Decrement(ref _useCount);

    /// <summary>Sets the resizing flag if it is clear. True means this caller set it and must end the resize.</summary>
    public bool TryBeginResize()
    {
        if (Interlocked.CompareExchange(ref _resizing, 1, 0) != 0)
        {
            return false;
        }
        Hook?.Invoke(UseCountStep.WriterSetFlag, 0);
        return true;
    }

    /// <summary>Sets the resizing flag (spinning while another resize holds it), then waits for readers to drain.</summary>
    /// <returns>True when the writer had to wait for readers.</returns>
    public bool BeginResize()
    {
        var spin = new SpinWait();
        while (!TryBeginResize())
        {
            spin.SpinOnce();
        }
        return DrainReaders();
    }

    /// <summary>Waits until no reader is counted in. Call only while holding the flag.</summary>
    /// <returns>True when there were readers to wait for.</returns>
    public bool DrainReaders()
    {
        if (Volatile.Read(ref _useCount) == 0)
        {
            Hook?.Invoke(UseCountStep.WriterDrained, 0);
            return false;
        }
        Hook?.Invoke(UseCountStep.WriterWaitingForReaders, 0);
        var spin = new SpinWait();
        while (Volatile.Read(ref _useCount) != 0)
        {
            spin.SpinOnce();
        }
        Hook?.Invoke(UseCountStep.WriterDrained, 0);
        return true;
    }

    /// <summary>
    /// Ends a resize. <paramref name="setByCaller"/> says whether the caller's CAS set the flag; under
    /// the current ordering only such a caller clears it (I2).
    /// </summary>
    public void EndResize(bool setByCaller)
    {
        if (setByCaller || Ordering == UseCountOrdering.Original)
        {
            Volatile.Write(ref _resizing, 0);
        }
    }
}
