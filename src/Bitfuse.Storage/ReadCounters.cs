using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Bitfuse.Storage;

/// <summary>
/// Per-thread records of one file, one slot per reading thread: a thread finds its slot through a
/// thread-static array indexed by the file's id and writes it with plain stores (it is the slot's only
/// writer), so counting costs no locked instruction and no shared cache line. A slot holds the thread's
/// read counts and, for <see cref="GrowthStrategy.Reserve"/> files, its reader mark (see
/// <see cref="MappedFile"/>, G4). A read scope looks its slot up once and counts every span through it.
/// A snapshot sums every slot ever registered, so counts of threads that have exited are kept.
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
    private readonly bool _marked;
    private readonly int _id;
    private readonly Lock _registryLock = new();
    private Slot[] _slots = [];
    private bool _disposed;

    /// <param name="file">The file counted.</param>
    /// <param name="marked">True when readers mark their slot while they hold the mapping (Reserve).</param>
    public ReadCounters(MappedFile file, bool marked)
    {
        _file = file;
        _marked = marked;
        lock (IdLock)
        {
            _id = FreeIds.Count > 0 ? FreeIds.Pop() : s_nextId++;
        }
    }

    public void CountMapped(long bytes) => Current().CountMapped(bytes);

    public void CountSystemCall(long bytes)
    {
        var slot = Current();
        Volatile.Write(ref slot.Counts.SystemCallReads, slot.Counts.SystemCallReads + 1);
        Volatile.Write(ref slot.Counts.Bytes, slot.Counts.Bytes + bytes);
    }

    public (long MappedReads, long SystemCallReads, long Bytes) Sum()
    {
        long mapped = 0, calls = 0, bytes = 0;
        foreach (var slot in Volatile.Read(ref _slots))
        {
            mapped += Volatile.Read(ref slot.Counts.MappedReads);
            calls += Volatile.Read(ref slot.Counts.SystemCallReads);
            bytes += Volatile.Read(ref slot.Counts.Bytes);
        }
        return (mapped, calls, bytes);
    }

    /// <summary>
    /// Waits until no slot is marked. The caller has already unpublished the mapping and issued a
    /// process-wide barrier, so a reader not seen marked here cannot still load the old mapping (G4).
    /// </summary>
    public void WaitForUnmarked()
    {
        Slot[] slots;
        lock (_registryLock)
        {
            slots = _slots;
        }
        foreach (var slot in slots)
        {
            var spin = new SpinWait();
            while (Volatile.Read(ref slot.Counts.Marked) != 0)
            {
                spin.SpinOnce();
            }
        }
    }

    /// <summary>True when the calling thread holds a mark on this file (it is inside a read).</summary>
    public bool IsMarkedByCurrentThread()
    {
        var slots = t_slots;
        return slots is not null && (uint)_id < (uint)slots.Length && slots[_id] is { } slot
            && ReferenceEquals(slot.Owner, this) && slot.Counts.Marked != 0;
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

    /// <summary>The calling thread's slot, registered on its first read.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Slot Current()
    {
        // A one-entry cache of the last slot used: a thread reading one file finds its slot with one
        // load and one compare, which keeps a read scope's begin short.
        var last = t_last;
        if (last is not null && ReferenceEquals(last.Owner, this))
        {
            return last;
        }
        return Find();
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private Slot Find()
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
        var slot = new Slot(this, _file, _marked);
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

    /// <summary>One thread's counts and reader mark for one file; only that thread writes them.</summary>
    internal sealed class Slot(ReadCounters owner, MappedFile file, bool marked)
    {
        public readonly ReadCounters Owner = owner;
        public readonly MappedFile File = file;

        /// <summary>True when reads mark <see cref="SlotCounts.Marked"/> (Reserve); otherwise scopes end through the file.</summary>
        public readonly bool UsesMark = marked;

        public SlotCounts Counts;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void CountMapped(long bytes)
        {
            Volatile.Write(ref Counts.MappedReads, Counts.MappedReads + 1);
            Volatile.Write(ref Counts.Bytes, Counts.Bytes + bytes);
        }
    }

    /// <summary>
    /// The words a reading thread writes, with a cache line of padding on either side so that slots of
    /// different threads never share a line (each thread writes its own on every read).
    /// </summary>
    [StructLayout(LayoutKind.Explicit, Size = 160)]
    internal struct SlotCounts
    {
        /// <summary>1 while the thread is inside a read that holds the mapping's address (Reserve); else 0.</summary>
        [FieldOffset(64)]
        public long Marked;

        [FieldOffset(72)]
        public long MappedReads;

        [FieldOffset(80)]
        public long SystemCallReads;

        [FieldOffset(88)]
        public long Bytes;
    }
}
