// One thread's cache in one zone, and the public handle to it.
//
// Invariants (with Zone's, which this file's fast paths share):
//  1. Only the owning thread calls Alloc and Free. Debug zones check it on every call (their calls all take the slow
//     path); release zones do not (the check would cost the thread-local lookup the handle exists to avoid).
//  2. The fast paths store only what they must: the bucket count (and the item, for a free) between the Busy store
//     and its release. No per-item counter: allocations and frees are derived from the bucket counts and the
//     per-bucket tallies below, which change only on slow paths, under Busy or the zone lock.
//       items that entered the alloc bucket = AllocIn + FreedIntoAlloc = allocations + AllocOut + AllocBucket.Count
//       frees = FreedIntoAlloc + FreeOut + FreeBucket.Count
//  3. A cache whose thread exited (Retired) or whose zone was disposed keeps Claimed at 1, so every later call takes
//     the slow path and throws instead of touching buckets that now belong to the zone.
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Bitfuse.Memory;

/// <summary>
/// One thread's cache of one <see cref="Memory.Zone"/>: the bucket it allocates from and the bucket it frees into. It is
/// also an explicit handle for hot loops: a thread takes it once with <see cref="Zone.GetThreadCache"/> and calls
/// <see cref="Alloc"/> and <see cref="Free"/> on it, which skips the lookup of the calling thread's cache that every
/// <see cref="Zone.Alloc"/> and <see cref="Zone.Free"/> makes. The two paths share the same buckets and may be mixed.
/// Use a cache only on the thread that took it, and not after that thread has exited: zones with debug checks throw
/// <see cref="InvalidOperationException"/> on a call from another thread; without debug checks such a call corrupts
/// the zone. A call after the thread exited, or after the zone was disposed, always throws.
/// </summary>
public sealed unsafe class ZoneCache
{
    // Copies of the zone's settings that the fast paths read, so they touch only this object and its buckets.
    private readonly bool _fastAlloc;
    private readonly bool _fastFree;
    private readonly bool _freeToFreeBucket;

    internal Bucket AllocBucket;
    internal Bucket FreeBucket;

    /// <summary>SMR zones: the last full free bucket, stamped and kept here so the owner can reuse it without the zone lock.</summary>
    internal Bucket? StampedBucket;

    /// <summary>An empty bucket kept for the next stamping, so the common SMR path takes no lock.</summary>
    internal Bucket? SpareBucket;

    /// <summary>Items put into the alloc bucket by refills (slabs, ready or expired buckets, a swap).</summary>
    internal long AllocIn;

    /// <summary>Items freed straight into the alloc bucket (plain zones reuse most-recent first).</summary>
    internal long FreedIntoAlloc;

    /// <summary>Items taken out of the alloc bucket other than by allocation (flushes).</summary>
    internal long AllocOut;

    /// <summary>Items that left the free bucket (stamped, queued, swapped into the alloc bucket, made ready, flushed).</summary>
    internal long FreeOut;

    /// <summary>1 while the owner is inside a zone operation (plain stores; see <see cref="Memory.Zone"/>'s trim handshake).</summary>
    internal int Busy;

    /// <summary>1 while the idle trimmer owns the buckets; 1 for good once the thread exited or the zone was disposed.</summary>
    internal int Claimed;

    /// <summary>The owner's last operation count seen by the idle trimmer.</summary>
    internal long SeenOperations = -1;

    /// <summary>When the idle trimmer first saw <see cref="SeenOperations"/> unchanged (Stopwatch ticks).</summary>
    internal long IdleSince;

    /// <summary>True once the owner thread exited and the cache was flushed.</summary>
    internal bool Retired;

    /// <summary>The managed id of the owning thread.</summary>
    internal readonly int OwnerThreadId;

    internal ZoneCache(Zone zone, Bucket allocBucket, Bucket freeBucket, bool fastAlloc, bool fastFree)
    {
        Zone = zone;
        AllocBucket = allocBucket;
        FreeBucket = freeBucket;
        _fastAlloc = fastAlloc;
        _fastFree = fastFree;
        _freeToFreeBucket = zone.Smr is not null;
        OwnerThreadId = Environment.CurrentManagedThreadId;
    }

    /// <summary>The zone this cache belongs to.</summary>
    public Zone Zone { get; }

    /// <summary>Allocations made through this cache (an exact count on the owning thread; a snapshot elsewhere).</summary>
    internal long Allocations => AllocIn + FreedIntoAlloc - AllocOut - AllocBucket.Count;

    /// <summary>Frees made through this cache (an exact count on the owning thread; a snapshot elsewhere).</summary>
    internal long Frees => FreedIntoAlloc + FreeOut + FreeBucket.Count;

    /// <summary>What <see cref="Zone.Alloc"/> does, without looking up the calling thread's cache.</summary>
    /// <returns>The item; never null.</returns>
    /// <exception cref="OutOfMemoryException">The OS refused a new slab.</exception>
    /// <exception cref="ObjectDisposedException">The zone was disposed.</exception>
    /// <exception cref="InvalidOperationException">The owning thread exited, or (debug checks) the caller is another thread.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void* Alloc()
    {
        if (_fastAlloc)
        {
            Busy = 1;
            var bucket = AllocBucket;
            var n = bucket.Count - 1;
            if (Volatile.Read(ref Claimed) == 0 && n >= 0)
            {
                bucket.Count = n;
                // n < Count <= Items.Length: no bounds check needed.
                var item = Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(bucket.Items), n);
                Volatile.Write(ref Busy, 0);
                return (void*)item;
            }
            Volatile.Write(ref Busy, 0);
        }
        return Zone.AllocSlow(this);
    }

    /// <summary>What <see cref="Zone.Free"/> does, without looking up the calling thread's cache.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="item"/> is null.</exception>
    /// <exception cref="ObjectDisposedException">The zone was disposed.</exception>
    /// <exception cref="InvalidOperationException">The owning thread exited; or (debug checks) the caller is another thread, a double free, a foreign pointer, or a free inside the caller's own read section.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Free(void* item)
    {
        if (item == null)
        {
            ThrowNullItem();
        }
        if (_fastFree)
        {
            Busy = 1;
            var bucket = _freeToFreeBucket ? FreeBucket : AllocBucket;
            var n = bucket.Count;
            var items = bucket.Items;
            if (Volatile.Read(ref Claimed) == 0 && (uint)n < (uint)items.Length)
            {
                Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(items), n) = (nint)item;
                bucket.Count = n + 1;
                if (!_freeToFreeBucket)
                {
                    FreedIntoAlloc++;
                }
                Volatile.Write(ref Busy, 0);
                return;
            }
            Volatile.Write(ref Busy, 0);
        }
        Zone.FreeSlow(this, (nint)item);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    internal static void ThrowNullItem() => throw new ArgumentNullException("item");
}
