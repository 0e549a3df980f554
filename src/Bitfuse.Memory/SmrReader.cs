using System.Runtime.CompilerServices;

namespace Bitfuse.Memory;

/// <summary>
/// One thread's reader record in one <see cref="Smr"/>: the sequence it entered at (or <see cref="Sequence.Idle"/>)
/// on its own cache line. Written only by its thread (enter, exit) and by the finalizer of its thread's
/// <see cref="ThreadSlots"/> after the thread has exited; read by pollers.
/// </summary>
internal sealed class SmrReader
{
    public PaddedSequence Seq;

    public readonly Smr Owner;

    /// <summary>The owner's debug flag, copied here so the exit path touches only this record.</summary>
    public readonly bool Debug;

    /// <summary>The managed id of the thread holding the record, or 0 when the record is free for reuse.</summary>
    public int ThreadId;

    /// <summary>Inside a section whose entry store is withheld (<see cref="SmrOptions.EntryStoreWithheld"/>, tests only).</summary>
    public bool Withheld;

    /// <summary>Deferred advances made by this thread since the last real one (Deferred mode).</summary>
    public int DeferredAdvances;

    public SmrReader(Smr owner, int threadId, bool debug)
    {
        Owner = owner;
        ThreadId = threadId;
        Debug = debug;
    }

    /// <summary>Leaves the read section (release store of IDLE).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Exit()
    {
        if (Seq.Value == Sequence.Idle)
        {
            if (!Withheld)
            {
                ThrowExitWithoutEnter();
            }
            Withheld = false;
            return;
        }
        if (Debug && ThreadId != Environment.CurrentManagedThreadId)
        {
            ThrowWrongThread();
        }
        Volatile.Write(ref Seq.Value, Sequence.Idle);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowExitWithoutEnter() =>
        throw new InvalidOperationException("Exit without Enter: this thread is not inside a read section of this Smr.");

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowWrongThread() =>
        throw new InvalidOperationException("A read section must be left on the thread that entered it.");

    public void ReleaseAtThreadExit()
    {
        Volatile.Write(ref Seq.Value, Sequence.Idle);
        Volatile.Write(ref ThreadId, 0);
    }
}
