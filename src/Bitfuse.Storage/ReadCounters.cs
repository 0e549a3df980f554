using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Bitfuse.Storage;

/// <summary>
/// Per-thread records of one file, one slot per reading thread: a thread finds its slot through a
/// thread-static array indexed by the file's id and writes it with plain stores (it is the slot's only
/// writer), so counting costs no locked instruction and no shared cache line. A slot holds the thread's
/// read counts and, for <see cref="GrowthStrategy.Reserve"/> files, its read sequence: odd while the
/// thread is inside a read that holds the mapping's address, even outside, one step at each edge (see
/// <see cref="MappedFile"/>, G4). A read scope looks its slot up once. A snapshot sums every slot ever
/// registered, so counts of threads that have exited are kept.
/// </summary>
internal sealed class ReadCounters : IDisposable
{
    private static readonly Lock IdLock = new();
    private static readonly Stack<int> FreeIds = new();
    private static int s_nextId;

    [ThreadStatic]
    private static Slot?[]? t_slots;

    [ThreadStatic]
    private static Slot? t_last;

    private readonly MappedFile _file;
    private readonly int _id;
    private readonly Lock _registryLock = new();
    private Slot[] _slots = [];
    private bool _disposed;

    /// <param name="file">The file counted.</param>
    public ReadCounters(MappedFile file)
    {
        _file = file;
        lock (IdLock)
        {
            _id = FreeIds.Count > 0 ? FreeIds.Pop() : s_nextId++;
        }
    }

    public (long MappedReads, long SystemCallReads, long Bytes) Sum()
    {
        long mapped = 0, calls = 0, bytes = 0;
        foreach (var slot in Volatile.Read(ref _slots))
        {
            // Reserve reads are counted by their sequence: two steps per finished read.
            mapped += Volatile.Read(ref slot.Counts.MappedReads) + Volatile.Read(ref slot.Counts.Sequence) / 2;
            calls += Volatile.Read(ref slot.Counts.SystemCallReads);
            bytes += Volatile.Read(ref slot.Counts.Bytes);
        }
        return (mapped, calls, bytes);
    }

    /// <summary>
    /// The sequences of the slots inside a read now: a read that began before the caller unpublished
    /// a mapping (and issued a process-wide barrier) is one of these, so once each has moved on
    /// (<see cref="HaveMovedOn"/>) no reader can still hold that mapping (G4).
    /// </summary>
    public ReaderSnapshot[] ReadersInside()
    {
        Slot[] slots;
        lock (_registryLock)
        {
            slots = _slots;
        }
        var inside = new List<ReaderSnapshot>();
        foreach (var slot in slots)
        {
            var sequence = Volatile.Read(ref slot.Counts.Sequence);
            if ((sequence & 1) != 0)
            {
                inside.Add(new ReaderSnapshot(slot, sequence));
            }
        }
        return [.. inside];
    }

    /// <summary>True when every reader in <paramref name="snapshot"/> has left the read it was in.</summary>
    public static bool HaveMovedOn(ReaderSnapshot[] snapshot)
    {
        foreach (var (slot, sequence) in snapshot)
        {
            if (Volatile.Read(ref slot.Counts.Sequence) == sequence)
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>Waits until every reader in <paramref name="snapshot"/> has left the read it was in.</summary>
    public static void WaitToMoveOn(ReaderSnapshot[] snapshot)
    {
        var spin = new SpinWait();
        while (!HaveMovedOn(snapshot))
        {
            spin.SpinOnce();
        }
    }

    /// <summary>True when the calling thread is inside a read of this file (its sequence is odd).</summary>
    public bool IsReadingOnCurrentThread()
    {
        var slots = t_slots;
        return slots is not null && (uint)_id < (uint)slots.Length && slots[_id] is { } slot
            && ReferenceEquals(slot.Owner, this) && (slot.Counts.Sequence & 1) != 0;
    }

    /// <summary>Returns the id for reuse; the counts stay readable.</summary>
    public void Dispose()
    {
        lock (IdLock)
        {
            if (!_disposed)
            {
                _disposed = true;
                FreeIds.Push(_id);
            }
        }
    }

    /// <summary>The slot the calling thread used last, of whichever file (null before its first read).</summary>
    public static Slot? LastUsed
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => t_last;
    }

    /// <summary>The calling thread's slot, found by the file's id (registered on its first read); becomes <see cref="LastUsed"/>.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public Slot Find()
    {
        var slots = t_slots;
        if (slots is not null && (uint)_id < (uint)slots.Length)
        {
            var slot = slots[_id];
            if (slot is not null && ReferenceEquals(slot.Owner, this))
            {
                t_last = slot;
                return slot;
            }
        }
        return Register();
    }

    private Slot Register()
    {
        var slot = new Slot(this, _file);
        lock (_registryLock)
        {
            var grown = new Slot[_slots.Length + 1];
            _slots.CopyTo(grown, 0);
            grown[^1] = slot;
            Volatile.Write(ref _slots, grown);
        }
        var slots = t_slots ?? [];
        if (_id >= slots.Length)
        {
            Array.Resize(ref slots, Math.Max(_id + 1, slots.Length * 2));
        }
        slots[_id] = slot;
        t_slots = slots;
        t_last = slot;
        return slot;
    }

    /// <summary>One thread's counts and read sequence for one file; only that thread writes them.</summary>
    internal sealed class Slot(ReadCounters owner, MappedFile file)
    {
        public readonly ReadCounters Owner = owner;
        public readonly MappedFile File = file;
        public SlotCounts Counts;

        /// <summary>Counts <paramref name="bytes"/> handed out (a copy, a span or a pointer).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void CountBytes(long bytes) => Volatile.Write(ref Counts.Bytes, Counts.Bytes + bytes);

        /// <summary>Counts one read served by the mapping outside the read sequence (UseCount, Smr).</summary>
        public void CountMapped(long bytes)
        {
            Volatile.Write(ref Counts.MappedReads, Counts.MappedReads + 1);
            CountBytes(bytes);
        }

        /// <summary>Counts one read served by <c>pread</c>.</summary>
        public void CountSystemCall(long bytes)
        {
            Volatile.Write(ref Counts.SystemCallReads, Counts.SystemCallReads + 1);
            CountBytes(bytes);
        }
    }

    /// <summary>A reader seen inside a read: its slot and the (odd) sequence it had.</summary>
    internal readonly record struct ReaderSnapshot(Slot Slot, long Sequence);

    /// <summary>
    /// The words a reading thread writes, with a cache line of padding on either side so that slots of
    /// different threads never share a line (each thread writes its own on every read).
    /// </summary>
    [StructLayout(LayoutKind.Explicit, Size = 160)]
    internal struct SlotCounts
    {
        /// <summary>
        /// Reserve only: odd while the thread is inside a read that holds the mapping's address, even
        /// outside; each read steps it twice. Half of it is the thread's finished mapped reads.
        /// </summary>
        [FieldOffset(64)]
        public long Sequence;

        [FieldOffset(72)]
        public long MappedReads;

        [FieldOffset(80)]
        public long SystemCallReads;

        [FieldOffset(88)]
        public long Bytes;
    }
}
