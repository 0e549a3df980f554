using System.Runtime.CompilerServices;

namespace Bitfuse.Storage;

/// <summary>
/// Read counters of one file, one slot per reading thread: a thread finds its slot through a
/// thread-static array indexed by the file's id and bumps it with plain stores (it is the slot's only
/// writer), so counting costs no locked instruction and no shared cache line. A read scope looks its
/// slot up once and counts every span through it. A snapshot sums every slot ever registered, so
/// counts of threads that have exited are kept.
/// </summary>
internal sealed class ReadCounters : IDisposable
{
    private static readonly Lock IdLock = new();
    private static readonly Stack<int> FreeIds = new();
    private static int s_nextId;

    [ThreadStatic]
    private static Slot?[]? t_slots;

    private readonly MappedFile _file;
    private readonly int _id;
    private readonly Lock _registryLock = new();
    private Slot[] _slots = [];
    private bool _disposed;

    public ReadCounters(MappedFile file)
    {
        _file = file;
        lock (IdLock)
        {
            _id = FreeIds.Count > 0 ? FreeIds.Pop() : s_nextId++;
        }
    }

    public void CountMapped(long bytes) => Current().CountMapped(bytes);

    public void CountSystemCall(long bytes)
    {
        var slot = Current();
        Volatile.Write(ref slot.SystemCallReads, slot.SystemCallReads + 1);
        Volatile.Write(ref slot.Bytes, slot.Bytes + bytes);
    }

    public (long MappedReads, long SystemCallReads, long Bytes) Sum()
    {
        long mapped = 0, calls = 0, bytes = 0;
        foreach (var slot in Volatile.Read(ref _slots))
        {
            mapped += Volatile.Read(ref slot.MappedReads);
            calls += Volatile.Read(ref slot.SystemCallReads);
            bytes += Volatile.Read(ref slot.Bytes);
        }
        return (mapped, calls, bytes);
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
        var slots = t_slots;
        if (slots is not null && (uint)_id < (uint)slots.Length)
        {
            var slot = slots[_id];
            if (slot is not null && ReferenceEquals(slot.Owner, this))
            {
                return slot;
            }
        }
        return Register();
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
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
        return slot;
    }

    /// <summary>One thread's counts for one file; only that thread writes them.</summary>
    internal sealed class Slot(ReadCounters owner, MappedFile file)
    {
        public readonly ReadCounters Owner = owner;
        public readonly MappedFile File = file;
        public long MappedReads;
        public long SystemCallReads;
        public long Bytes;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void CountMapped(long bytes)
        {
            Volatile.Write(ref MappedReads, MappedReads + 1);
            Volatile.Write(ref Bytes, Bytes + bytes);
        }
    }
}
