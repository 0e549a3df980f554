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

    /// <summary>The managed id of the thread holding the record, or 0 when the record is free for reuse.</summary>
    public int ThreadId;

    /// <summary>Deferred advances made by this thread since the last real one (Deferred mode).</summary>
    public int DeferredAdvances;

    public SmrReader(Smr owner, int threadId)
    {
        Owner = owner;
        ThreadId = threadId;
    }

    public void ReleaseAtThreadExit()
    {
        Volatile.Write(ref Seq.Value, Sequence.Idle);
        Volatile.Write(ref ThreadId, 0);
    }
}
