// A classic epoch-based reclamation baseline in the style of Concurrency Kit's ck_epoch, written here so the
// memory suite can set GUS against the scheme Roberson compared it with.
//
// State: a global epoch; per thread a record {active, epoch} on its own cache line and three limbo lists.
// Invariants:
//  1. Enter sets active (a locked exchange: full fence) and then records the global epoch it saw.
//  2. Retire puts an item on the limbo list of the global epoch at that moment (epoch mod 3).
//  3. A poll advances the global epoch only when every active record has seen the current epoch; after
//     the advance from e to e+1 no reader can be in e-1, so the list of e-1 is freed. A poll that finds
//     no active reader at all frees every list (as ck_epoch_poll does).
//  4. Limbo lists belong to their record's thread; only that thread retires or polls with it.
//  5. Call (FreeBSD's epoch_call) defers one object with its own callback on a per-record callback queue of the
//     same epoch; a dispatch runs each queued callback once, in order, on the polling thread. Retire batches the
//     free of plain items instead; a record may use both.
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Bitfuse.Memory;

namespace Bitfuse.Benchmarks.Suites;

/// <summary>
/// Epoch-based reclamation with three epochs and per-thread limbo lists; frees into a plain <see cref="Zone"/>. A record
/// takes its thread's <see cref="ZoneCache"/> at registration, so a batch dispatched by its owner is freed through it.
/// </summary>
public sealed unsafe class EpochReclaimer
{
    private const int Epochs = 3;
    private readonly Zone _zone;
    private readonly Lock _registryLock = new();
    private Record[] _records = [];
    private PaddedEpoch _global;

    /// <summary>Creates a reclaimer that frees retired items into <paramref name="zone"/>.</summary>
    public EpochReclaimer(Zone zone)
    {
        _zone = zone;
        _global.Value = 1;
    }

    /// <summary>Items retired and not yet freed, over every record.</summary>
    public long PendingItems
    {
        get
        {
            long n = 0;
            foreach (var r in Volatile.Read(ref _records))
            {
                n += Volatile.Read(ref r.Pending);
            }
            return n;
        }
    }

    /// <summary>The largest <see cref="Record.Pending"/> any record reached.</summary>
    public long PeakPendingItems
    {
        get
        {
            long n = 0;
            foreach (var r in Volatile.Read(ref _records))
            {
                n = Math.Max(n, Volatile.Read(ref r.PeakPending));
            }
            return n;
        }
    }

    /// <summary>Registers the calling thread's record (ck_epoch_register); use the record on that thread only.</summary>
    public Record Register()
    {
        var record = new Record(_zone.GetThreadCache());
        lock (_registryLock)
        {
            var grown = new Record[_records.Length + 1];
            _records.CopyTo(grown, 0);
            grown[^1] = record;
            Volatile.Write(ref _records, grown);
        }
        return record;
    }

    /// <summary>Begins a read section.</summary>
    public void Enter(Record record)
    {
        Interlocked.Exchange(ref record.State.Active, 1);
        Volatile.Write(ref record.State.Epoch, Volatile.Read(ref _global.Value));
    }

    /// <summary>Ends a read section.</summary>
    public static void Exit(Record record) => Volatile.Write(ref record.State.Active, 0);

    /// <summary>Defers the free of <paramref name="item"/> until no reader can see it (ck_epoch_call).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Retire(Record record, nint item)
    {
        var epoch = Volatile.Read(ref _global.Value);
        ref var list = ref record.Limbo[(int)(epoch % Epochs)];
        list.Add(item);
        var pending = ++record.Pending;
        if (pending > record.PeakPending)
        {
            record.PeakPending = pending;
        }
    }

    /// <summary>
    /// Defers <paramref name="callback"/>(zone, <paramref name="item"/>) until no reader can see the item: FreeBSD's
    /// <c>epoch_call</c>, a callback queued per object and run when its epoch has passed.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Call(Record record, nint item, delegate*<Zone, nint, void> callback)
    {
        var epoch = Volatile.Read(ref _global.Value);
        ref var queue = ref record.Callbacks[(int)(epoch % Epochs)];
        queue.Add(new CallbackEntry(item, callback));
        var pending = ++record.Pending;
        if (pending > record.PeakPending)
        {
            record.PeakPending = pending;
        }
    }

    /// <summary>Tries to advance the epoch and frees what became safe (ck_epoch_poll).</summary>
    public void Poll(Record record)
    {
        var epoch = Volatile.Read(ref _global.Value);
        Interlocked.MemoryBarrier();
        Dispatch(record, epoch - 2, record.Cache);
        var anyActive = false;
        foreach (var r in Volatile.Read(ref _records))
        {
            if (Volatile.Read(ref r.State.Active) != 0)
            {
                anyActive = true;
                if (Volatile.Read(ref r.State.Epoch) != epoch)
                {
                    return;
                }
            }
        }
        if (!anyActive)
        {
            for (var e = 0; e < Epochs; e++)
            {
                Dispatch(record, e, record.Cache);
            }
            return;
        }
        Interlocked.CompareExchange(ref _global.Value, epoch + 1, epoch);
        Dispatch(record, epoch - 1, record.Cache);
    }

    /// <summary>
    /// Frees everything the record still holds (call when no reader is active), through the calling thread's cache: it
    /// may be called after the record's thread has ended.
    /// </summary>
    public void Barrier(Record record)
    {
        var cache = _zone.GetThreadCache();
        for (var e = 0; e < Epochs; e++)
        {
            Dispatch(record, e, cache);
        }
    }

    private void Dispatch(Record record, long epoch, ZoneCache cache)
    {
        ref var list = ref record.Limbo[(int)(((epoch % Epochs) + Epochs) % Epochs)];
        for (var i = 0; i < list.Count; i++)
        {
            cache.Free((void*)list.Items[i]);
        }
        record.Pending -= list.Count;
        list.Count = 0;
        ref var queue = ref record.Callbacks[(int)(((epoch % Epochs) + Epochs) % Epochs)];
        if (queue.Count > 0)
        {
            for (var i = 0; i < queue.Count; i++)
            {
                ref var entry = ref queue.Items[i];
                entry.Callback(_zone, entry.Item);
            }
            record.Pending -= queue.Count;
            queue.Count = 0;
        }
    }

    /// <summary>A thread's record: the padded {active, epoch} pair read by pollers, and its limbo lists.</summary>
    public sealed class Record(ZoneCache cache)
    {
        internal readonly ZoneCache Cache = cache;
        internal PaddedState State;
        internal readonly Limbo<nint>[] Limbo = [new(), new(), new()];
        internal readonly Limbo<CallbackEntry>[] Callbacks = [new(), new(), new()];
        internal long Pending;
        internal long PeakPending;
    }

    [StructLayout(LayoutKind.Explicit, Size = 192)]
    internal struct PaddedState
    {
        [FieldOffset(64)] public int Active;
        [FieldOffset(72)] public long Epoch;
    }

    [StructLayout(LayoutKind.Explicit, Size = 192)]
    private struct PaddedEpoch
    {
        [FieldOffset(64)] public long Value;
    }

    internal readonly struct CallbackEntry(nint item, delegate*<Zone, nint, void> callback)
    {
        public readonly nint Item = item;
        public readonly delegate*<Zone, nint, void> Callback = callback;
    }

    internal struct Limbo<T>
        where T : unmanaged
    {
        public T[] Items;
        public int Count;

        public Limbo() => Items = new T[256];

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Add(T item)
        {
            var items = Items;
            var n = Count;
            if ((uint)n < (uint)items.Length)
            {
                items[n] = item;
                Count = n + 1;
                return;
            }
            Grow(item);
        }

        [MethodImpl(MethodImplOptions.NoInlining)]
        private void Grow(T item)
        {
            Array.Resize(ref Items, Items.Length * 2);
            Items[Count++] = item;
        }
    }
}
