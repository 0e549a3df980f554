// A slab allocator zone after FreeBSD's UMA, with per-thread caches instead of per-CPU ones.
//
// Where a free item can be (each item is in exactly one place):
//   in a slab's free stack | in a thread cache's alloc or free bucket | in a zone bucket (_ready, or
//   _pending for SMR zones) | in flight in one thread between two of these, counted as deferred.
// Invariants:
//  1. Only the owning thread touches its cache's buckets (through Alloc/Free, which find the cache in the thread's
//     slots, or through the ZoneCache handle it took), except (a) the finalizer of an exited thread's
//     ThreadSlots, and (b) the idle trimmer after it claimed the cache: it sets Claimed, issues a
//     process-wide barrier, and proceeds only if the owner's Busy flag is 0; an owner that sees Claimed
//     backs off until it is cleared. One claimer at a time (_claimLock). Zone-level lists, slabs and
//     counters change only under _lock.
//  2. Plain zones reuse most-recent first: a free goes to the alloc bucket when it has room.
//  3. SMR zones: a free goes to the free bucket only. A full free bucket is stamped with one Advance()
//     and kept as the cache's stamped bucket; the one it displaces is queued at the tail of _pending.
//     Its items are reclaimed (destructor, debug poison) and reused
//     only after Poll(stamp) is true: allocation takes the head only if the poll succeeds without
//     waiting, else it takes fresh items from slabs. Items go back to slabs only after reclaim, so a slab
//     is never returned to the OS while a reader may still see one of its items.
//     The owner swaps its own stamped bucket in without the lock once Poll(stamp) is true. A refill whose
//     poll succeeds also moves queued buckets from the head to _ready for as long as the raised rd_seq
//     covers their stamps, so a past stall's backlog is reclaimed at once instead of staying queued.
//  4. When the queued stamped buckets hold more than MaxDeferredBytes, the freeing thread waits for the
//     oldest ones to expire (never inside its own read section) instead of growing memory without bound.
//     Beyond the cap each thread holds at most its stamped bucket, its filling free bucket and the one
//     bucket it is waiting for.
//  5. init runs once when a slab is created and fini once before it is released: cached items stay
//     constructed. In debug mode a reclaimed item is torn down (fini), poisoned, and on reuse checked and
//     rebuilt (init); per-item states catch double frees and pointers that are not the zone's.
using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace Bitfuse.Memory;

/// <summary>
/// A slab allocator for fixed-size, aligned items of unmanaged memory. Allocation and free usually touch only the
/// calling thread's cache. A zone created with an <see cref="Memory.Smr"/> reuses a freed item only after every
/// reader that might still see it has left its read section, so lock-free readers never see reused memory.
/// Thread-safe. Dispose it to return its memory.
/// </summary>
public sealed unsafe class Zone : IDisposable
{
    private const byte PoisonByte = 0xDB;
    private static readonly SlotIdPool Ids = new();

    private readonly int _id;
    private readonly Lock _lock = new();
    private readonly Lock _claimLock = new();
    private readonly Smr? _smr;
    private readonly bool _debug;
    private readonly bool _fastAlloc;
    private readonly bool _fastFree;
    private readonly int _alignment;
    private readonly int _bucketCapacity;
    private readonly long _maxDeferredBytes;
    private readonly TimeSpan _idleTrimAfter;
    private readonly ItemCallback? _init;
    private readonly ItemCallback? _fini;
    private readonly ItemCallback? _ctor;
    private readonly ItemCallback? _dtor;

    private readonly Stack<Bucket> _ready = new();
    private readonly Stack<Bucket> _empty = new();
    private readonly Queue<Bucket> _pending = new();
    private readonly List<Slab> _partial = [];
    private readonly List<ZoneCache> _caches = [];
    private Slab[] _slabs = [];
    private long _slabFreeItems;
    private long _readyItems;
    private long _queuedItems;
    private long _deferredItems;
    private long _peakDeferredBytes;
    private long _retiredAllocations;
    private long _retiredFrees;
    private long _capWaits;
    private long _lastActivity;
    private bool _disposed;

    /// <summary>Creates a zone.</summary>
    /// <exception cref="ArgumentException">A size, alignment or cap is out of range.</exception>
    public Zone(ZoneOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrWhiteSpace(options.Name))
        {
            throw new ArgumentException("A zone needs a name.", nameof(options));
        }
        if (options.ItemSize is < 1 or > 16 << 20)
        {
            throw new ArgumentException($"Zone '{options.Name}': ItemSize must be 1 to 16 MiB; got {options.ItemSize}.", nameof(options));
        }
        if (options.Alignment is < 1 or > 4096 || (options.Alignment & (options.Alignment - 1)) != 0)
        {
            throw new ArgumentException($"Zone '{options.Name}': Alignment must be a power of two from 1 to 4096; got {options.Alignment}.", nameof(options));
        }
        if (options.MaxDeferredBytes < 0)
        {
            throw new ArgumentException($"Zone '{options.Name}': MaxDeferredBytes must not be negative; got {options.MaxDeferredBytes}.", nameof(options));
        }
        if (options.BucketCapacity is < 0 or > 4096)
        {
            throw new ArgumentException($"Zone '{options.Name}': BucketCapacity must be 0 (automatic) to 4096; got {options.BucketCapacity}.", nameof(options));
        }
        Options = options;
        Name = options.Name;
        ItemSize = options.ItemSize;
        _alignment = options.Alignment;
        ItemStride = (ItemSize + _alignment - 1) & -_alignment;
        _smr = options.Smr;
        _debug = options.DebugChecks ?? MemoryDebug.Enabled;
        _init = options.Init;
        _fini = options.Fini;
        _ctor = options.Constructor;
        _dtor = options.Destructor;
        _fastAlloc = !_debug && _ctor is null;
        _fastFree = !_debug && (_smr is not null || _dtor is null);
        // SMR zones pay one Advance and one Poll per bucket, so they get buckets twice as large.
        var bucketBytes = _smr is null ? 256 << 10 : 512 << 10;
        _bucketCapacity = options.BucketCapacity > 0 ? options.BucketCapacity : Math.Clamp(bucketBytes / ItemStride, 4, 256);
        ItemsPerSlab = Math.Max(Math.Max(8, _bucketCapacity), (int)Math.Min(1 << 16, ((256 << 10) + ItemStride - 1) / ItemStride));
        _maxDeferredBytes = options.MaxDeferredBytes > 0
            ? options.MaxDeferredBytes
            : Math.Max(16L << 20, 16L * _bucketCapacity * ItemStride);
        _idleTrimAfter = options.IdleTrimAfter;
        _lastActivity = Stopwatch.GetTimestamp();
        _id = Ids.Rent();
        ZoneRegistry.Add(this);
    }

    /// <summary>The options this zone was created with.</summary>
    public ZoneOptions Options { get; }

    /// <summary>The zone's name.</summary>
    public string Name { get; }

    /// <summary>Bytes per item as requested.</summary>
    public int ItemSize { get; }

    /// <summary>Bytes between consecutive items of a slab (item size rounded up to the alignment).</summary>
    public int ItemStride { get; }

    /// <summary>Items per slab.</summary>
    public int ItemsPerSlab { get; }

    /// <summary>Items per per-thread bucket.</summary>
    public int BucketCapacity => _bucketCapacity;

    /// <summary>The SMR domain of an SMR zone, else <see langword="null"/>.</summary>
    public Smr? Smr => _smr;

    /// <summary>Whether debug checks are on for this zone.</summary>
    public bool DebugChecks => _debug;

    /// <summary>The cap on bytes held in stamped buckets waiting for readers (SMR zones).</summary>
    public long MaxDeferredBytes => _maxDeferredBytes;

    /// <summary>
    /// Allocates one item, aligned to <see cref="ZoneOptions.Alignment"/>, valid for <see cref="ItemSize"/> bytes.
    /// Its content is whatever <c>init</c>, the constructor or the previous user left (zero only for fresh memory
    /// without <c>init</c>).
    /// </summary>
    /// <returns>The item; never null.</returns>
    /// <exception cref="OutOfMemoryException">The OS refused a new slab.</exception>
    /// <exception cref="ObjectDisposedException">The zone was disposed.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void* Alloc() => LocalCache().Alloc();

    /// <summary>
    /// Returns an item to the zone. In an SMR zone the item stays readable, unchanged, for readers that entered before
    /// the free, and is reused only after they have all left. Do not free inside your own read section.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="item"/> is null.</exception>
    /// <exception cref="InvalidOperationException">Debug checks: a double free, a foreign pointer, or a free inside the caller's own read section.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Free(void* item)
    {
        if (item == null)
        {
            ZoneCache.ThrowNullItem();
        }
        LocalCache().Free(item);
    }

    /// <summary>
    /// The calling thread's cache of this zone, created on first use: a handle whose <see cref="ZoneCache.Alloc"/> and
    /// <see cref="ZoneCache.Free"/> do what <see cref="Alloc"/> and <see cref="Free"/> do without looking up the calling
    /// thread's cache each time. For a thread that allocates and frees in a loop; use it only on the calling thread.
    /// </summary>
    /// <exception cref="ObjectDisposedException">The zone was disposed.</exception>
    public ZoneCache GetThreadCache()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return LocalCache();
    }

    /// <summary>
    /// Returns what can be returned without waiting: flushes the calling thread's cache, reclaims stamped buckets whose
    /// readers have left (one poll), and gives empty slabs back to the OS.
    /// </summary>
    public void Trim()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var cache = FindCache();
        if (cache is not null)
        {
            EnterCache(cache);
            try
            {
                lock (_lock)
                {
                    FlushLocked(cache);
                }
            }
            finally
            {
                Volatile.Write(ref cache.Busy, 0);
            }
        }
        ReclaimPending(wait: false);
        lock (_lock)
        {
            ReleaseCachedLocked();
        }
    }

    /// <summary>
    /// Returns everything the zone can: <see cref="Trim"/>, plus the caches of other threads that are not inside a zone
    /// operation, plus every stamped bucket after waiting for its readers. After it, on a zone with no items in use,
    /// every byte taken from the OS has been returned. Must not be called inside a read section of the zone's SMR.
    /// </summary>
    public void Drain()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        Trim();
        FlushOtherCaches(onlyIdleSince: 0, now: 0);
        ReclaimPending(wait: true);
        lock (_lock)
        {
            ReleaseCachedLocked();
        }
    }

    /// <summary>A snapshot of the zone's accounting.</summary>
    public ZoneStatistics GetStatistics()
    {
        lock (_lock)
        {
            long allocations = _retiredAllocations, frees = _retiredFrees, cached = _slabFreeItems + _readyItems, deferred = _deferredItems;
            foreach (var c in _caches)
            {
                allocations += c.Allocations;
                frees += c.Frees;
                cached += c.AllocBucket.Count;
                if (_smr is null)
                {
                    cached += c.FreeBucket.Count;
                }
                else
                {
                    deferred += c.FreeBucket.Count + (c.StampedBucket?.Count ?? 0);
                }
            }
            return new ZoneStatistics
            {
                Name = Name,
                ItemSize = ItemSize,
                ItemStride = ItemStride,
                ItemsInUse = allocations - frees,
                ItemsCached = cached,
                ItemsDeferred = deferred,
                PeakDeferredBytes = _peakDeferredBytes,
                Slabs = _slabs.Length,
                ItemsPerSlab = ItemsPerSlab,
                BytesFromOs = _slabs.Length * Slab.SlabBytes(ItemsPerSlab, ItemStride),
                Allocations = allocations,
                Frees = frees,
                CapWaits = _capWaits,
                ThreadCaches = _caches.Count,
            };
        }
    }

    /// <summary>
    /// Items freed but not yet reusable as the calling thread sees them without the lock: the zone's queued stamped
    /// buckets plus the calling thread's own stamped and filling free buckets (other threads' buckets are not counted,
    /// so it is exact when one thread frees). For sampling on a hot path; <see cref="GetStatistics"/> is the full count.
    /// </summary>
    internal long DeferredItemsFromCurrentThread()
    {
        var cache = FindCache();
        var own = cache is null || _smr is null ? 0 : cache.FreeBucket.Count + (cache.StampedBucket?.Count ?? 0);
        return Volatile.Read(ref _deferredItems) + own;
    }

    /// <summary>True when <paramref name="item"/> is the start of an item of one of this zone's slabs.</summary>
    public bool Contains(void* item)
    {
        var slab = FindSlab((nint)item);
        return slab is not null && slab.IndexOf((nint)item) >= 0;
    }

    /// <summary>
    /// Returns all memory: drains the zone and releases every slab. Items still in use become invalid (their
    /// <c>fini</c> does not run). Later calls from any thread throw <see cref="ObjectDisposedException"/>; calls racing
    /// with the disposal are not allowed. Dispose zones before the <see cref="Memory.Smr"/> they use.
    /// </summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        if (_smr is null || !_smr.IsInReadSection)
        {
            Drain();
        }
        lock (_claimLock)
        {
            ReleaseAllLocked();
        }
        ZoneRegistry.Remove(this);
        Ids.Return(_id);
    }

    /// <summary>Marks the zone disposed, fences every cache off the fast paths and returns every slab (under the claim lock).</summary>
    private void ReleaseAllLocked()
    {
        lock (_lock)
        {
            _disposed = true;
            foreach (var cache in _caches)
            {
                // Send every later operation of any thread to the slow path, which reports the disposal.
                Volatile.Write(ref cache.Claimed, 1);
            }
            foreach (var slab in _slabs)
            {
                slab.Release(_fini);
            }
            _slabs = [];
            _partial.Clear();
            _slabFreeItems = 0;
            _ready.Clear();
            _pending.Clear();
            _caches.Clear();
        }
    }

    // ---- per-thread caches -------------------------------------------------------------------------

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ZoneCache LocalCache() => FindCache() ?? RegisterCache();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ZoneCache? FindCache()
    {
        var slots = ThreadSlots.CurrentOrNull;
        if (slots is not null)
        {
            var caches = slots.Caches;
            if ((uint)_id < (uint)caches.Length)
            {
                var cache = caches[_id];
                if (cache is not null && cache.Zone == this)
                {
                    return cache;
                }
            }
        }
        return null;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private ZoneCache RegisterCache()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var slots = ThreadSlots.Current;
        ZoneCache cache;
        lock (_lock)
        {
            cache = new ZoneCache(this, TakeEmptyLocked(), TakeEmptyLocked(), _fastAlloc, _fastFree);
            _caches.Add(cache);
        }
        ThreadSlots.Store(ref slots.Caches, _id, cache);
        return cache;
    }

    /// <summary>Marks the owner busy; backs off while the idle trimmer holds the cache (invariant 1).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void EnterCache(ZoneCache cache)
    {
        cache.Busy = 1;
        if (Volatile.Read(ref cache.Claimed) != 0)
        {
            EnterCacheContended(cache);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void EnterCacheContended(ZoneCache cache)
    {
        var spinner = new SpinWait();
        while (true)
        {
            Volatile.Write(ref cache.Busy, 0);
            while (Volatile.Read(ref cache.Claimed) != 0)
            {
                spinner.SpinOnce();
            }
            cache.Busy = 1;
            if (Volatile.Read(ref cache.Claimed) == 0)
            {
                return;
            }
        }
    }

    internal void FlushAtThreadExit(ZoneCache cache)
    {
        lock (_lock)
        {
            if (_disposed || cache.Retired)
            {
                return;
            }
            FlushLocked(cache);
            cache.Retired = true;
            // Every later call through a kept handle takes the slow path, which reports the exited thread.
            Volatile.Write(ref cache.Claimed, 1);
            _retiredAllocations += cache.Allocations;
            _retiredFrees += cache.Frees;
            _empty.Push(cache.AllocBucket);
            _empty.Push(cache.FreeBucket);
            if (cache.SpareBucket is not null)
            {
                _empty.Push(cache.SpareBucket);
                cache.SpareBucket = null;
            }
            _caches.Remove(cache);
        }
    }

    /// <summary>Empties a cache: SMR free buckets are stamped and queued, every other item goes back to its slab.</summary>
    private void FlushLocked(ZoneCache cache)
    {
        if (_smr is not null)
        {
            QueueStampedLocked(cache);
            if (cache.FreeBucket.Count > 0)
            {
                cache.FreeOut += cache.FreeBucket.Count;
                QueueLocked(cache.FreeBucket, _smr.AdvanceCore());
                cache.FreeBucket = TakeEmptyLocked();
            }
        }
        else
        {
            cache.FreeOut += cache.FreeBucket.Count;
            ReturnToSlabsLocked(cache.FreeBucket);
        }
        cache.AllocOut += cache.AllocBucket.Count;
        ReturnToSlabsLocked(cache.AllocBucket);
    }

    /// <summary>
    /// Claims and flushes the caches of other threads: all of them (<paramref name="onlyIdleSince"/> = 0) or those that
    /// made no operation since the last call and have been idle since before <paramref name="onlyIdleSince"/>.
    /// </summary>
    private void FlushOtherCaches(long onlyIdleSince, long now)
    {
        // One claimer at a time: a second claimer could see Claimed reset by the first and trust a stale Busy.
        lock (_claimLock)
        {
            FlushOtherCachesClaimed(onlyIdleSince, now);
        }
    }

    private void FlushOtherCachesClaimed(long onlyIdleSince, long now)
    {
        var mine = FindCache();
        List<ZoneCache> claimed = [];
        lock (_lock)
        {
            foreach (var c in _caches)
            {
                if (c == mine)
                {
                    continue;
                }
                if (onlyIdleSince != 0)
                {
                    var operations = c.Allocations + c.Frees;
                    if (operations != c.SeenOperations)
                    {
                        c.SeenOperations = operations;
                        c.IdleSince = now;
                        continue;
                    }
                    if (c.IdleSince > onlyIdleSince)
                    {
                        continue;
                    }
                }
                if (c.AllocBucket.Count + c.FreeBucket.Count + (c.StampedBucket?.Count ?? 0) == 0)
                {
                    continue;
                }
                Volatile.Write(ref c.Claimed, 1);
                claimed.Add(c);
            }
        }
        if (claimed.Count == 0)
        {
            return;
        }
        Interlocked.MemoryBarrierProcessWide();
        lock (_lock)
        {
            foreach (var c in claimed)
            {
                if (Volatile.Read(ref c.Busy) == 0 && !c.Retired)
                {
                    FlushLocked(c);
                }
                Volatile.Write(ref c.Claimed, c.Retired || _disposed ? 1 : 0);
            }
        }
    }

    /// <summary>Claims and flushes every other thread's cache that is not inside a zone operation (tests, Drain).</summary>
    internal void FlushOtherThreadCaches() => FlushOtherCaches(onlyIdleSince: 0, now: 0);

    /// <summary>
    /// One idle-trim step (called by the trimmer timer, or by tests with their own clock): flushes caches idle for
    /// <see cref="ZoneOptions.IdleTrimAfter"/>, and if the zone itself had no slow-path activity for that long,
    /// reclaims expired buckets and returns cached items and empty slabs.
    /// </summary>
    internal void IdleTick(long now)
    {
        if (_disposed || _idleTrimAfter <= TimeSpan.Zero)
        {
            return;
        }
        var after = (long)(_idleTrimAfter.TotalSeconds * Stopwatch.Frequency);
        FlushOtherCaches(onlyIdleSince: now - after, now);
        if (now - Volatile.Read(ref _lastActivity) >= after)
        {
            ReclaimPending(wait: false);
            lock (_lock)
            {
                if (!_disposed)
                {
                    ReleaseCachedLocked();
                }
            }
        }
    }

    // ---- slow paths --------------------------------------------------------------------------------

    [MethodImpl(MethodImplOptions.NoInlining)]
    internal void* AllocSlow(ZoneCache cache)
    {
        CheckCaller(cache);
        nint item;
        EnterCache(cache);
        try
        {
            if (cache.AllocBucket.Count == 0)
            {
                Refill(cache);
            }
            var bucket = cache.AllocBucket;
            item = bucket.Items[--bucket.Count];
        }
        finally
        {
            Volatile.Write(ref cache.Busy, 0);
        }
        if (_debug)
        {
            PrepareForUse(item);
        }
        _ctor?.Invoke((void*)item);
        return (void*)item;
    }

    /// <summary>Gives the cache's empty alloc bucket items: its own free bucket (plain zones), a ready bucket, an expired SMR bucket, or slabs.</summary>
    private void Refill(ZoneCache cache)
    {
        if (_smr is null && cache.FreeBucket.Count > 0)
        {
            cache.FreeOut += cache.FreeBucket.Count;
            cache.AllocIn += cache.FreeBucket.Count;
            (cache.AllocBucket, cache.FreeBucket) = (cache.FreeBucket, cache.AllocBucket);
            return;
        }
        if (_smr is not null)
        {
            // Deferred items only grow between two slow-path events of the freeing thread, so the peak is also
            // taken here, before this refill may reuse its stamped bucket (the top of the steady-state cycle: a
            // full free bucket and the stamped bucket still waiting).
            RaisePeak((Volatile.Read(ref _deferredItems) + cache.FreeBucket.Count + (cache.StampedBucket?.Count ?? 0)) * ItemStride);
        }
        if (_smr is not null && cache.StampedBucket is { } stamped && _smr.PollCore(stamped.Stamp))
        {
            // The common SMR case: this thread's own stamped bucket has expired; no lock.
            Reclaim(stamped);
            cache.SpareBucket ??= cache.AllocBucket;
            cache.AllocIn += stamped.Count;
            cache.AllocBucket = stamped;
            cache.StampedBucket = null;
            if (Volatile.Read(ref _queuedItems) != 0)
            {
                // The poll may have expired queued buckets too (those of a past stall). Reclaim them now, or they
                // would stay counted as deferred for as long as this thread keeps reusing its own stamped bucket.
                ReclaimPending(wait: false, scan: false);
            }
            return;
        }
        Bucket expired;
        lock (_lock)
        {
            _lastActivity = Stopwatch.GetTimestamp();
            if (_ready.Count > 0)
            {
                var full = _ready.Pop();
                _readyItems -= full.Count;
                _empty.Push(cache.AllocBucket);
                cache.AllocIn += full.Count;
                cache.AllocBucket = full;
                return;
            }
            if (_smr is null || _pending.Count == 0 || !_smr.PollCore(_pending.Peek().Stamp))
            {
                var before = cache.AllocBucket.Count;
                FillFromSlabsLocked(cache.AllocBucket);
                cache.AllocIn += cache.AllocBucket.Count - before;
                return;
            }
            expired = _pending.Dequeue();
            _queuedItems -= expired.Count;
        }
        Reclaim(expired);
        lock (_lock)
        {
            _deferredItems -= expired.Count;
            _empty.Push(cache.AllocBucket);
            cache.AllocIn += expired.Count;
            cache.AllocBucket = expired;
        }
        if (Volatile.Read(ref _queuedItems) != 0)
        {
            ReclaimPending(wait: false, scan: false);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    internal void FreeSlow(ZoneCache cache, nint item)
    {
        CheckCaller(cache);
        if (_debug)
        {
            CheckFree(item);
        }
        if (_smr is null)
        {
            _dtor?.Invoke((void*)item);
            if (_debug)
            {
                Retire(item);
            }
        }
        var overCap = false;
        EnterCache(cache);
        try
        {
            if (_smr is null)
            {
                if (!cache.AllocBucket.IsFull)
                {
                    Push(cache.AllocBucket, item);
                    cache.FreedIntoAlloc++;
                    return;
                }
                if (cache.FreeBucket.IsFull)
                {
                    lock (_lock)
                    {
                        _lastActivity = Stopwatch.GetTimestamp();
                        _ready.Push(cache.FreeBucket);
                        _readyItems += cache.FreeBucket.Count;
                        cache.FreeOut += cache.FreeBucket.Count;
                        cache.FreeBucket = TakeEmptyLocked();
                    }
                }
                Push(cache.FreeBucket, item);
                return;
            }
            if (cache.FreeBucket.IsFull)
            {
                var full = cache.FreeBucket;
                full.Stamp = _smr.AdvanceCore();
                cache.FreeOut += full.Count;
                if (cache.StampedBucket is null && cache.SpareBucket is not null)
                {
                    cache.StampedBucket = full;
                    cache.FreeBucket = cache.SpareBucket;
                    cache.SpareBucket = null;
                    RaisePeak((Volatile.Read(ref _deferredItems) + full.Count) * ItemStride);
                }
                else
                {
                    lock (_lock)
                    {
                        _lastActivity = Stopwatch.GetTimestamp();
                        QueueStampedLocked(cache);
                        cache.StampedBucket = full;
                        cache.FreeBucket = cache.SpareBucket ?? TakeEmptyLocked();
                        cache.SpareBucket = null;
                        RaisePeak((_deferredItems + full.Count) * ItemStride);
                        overCap = _queuedItems * ItemStride > _maxDeferredBytes;
                    }
                }
            }
            Push(cache.FreeBucket, item);
        }
        finally
        {
            Volatile.Write(ref cache.Busy, 0);
        }
        if (overCap)
        {
            EnforceCap();
        }
    }

    private static void Push(Bucket bucket, nint item) => bucket.Items[bucket.Count++] = item;

    private void QueueLocked(Bucket bucket, long stamp)
    {
        bucket.Stamp = stamp;
        _pending.Enqueue(bucket);
        _queuedItems += bucket.Count;
        _deferredItems += bucket.Count;
        RaisePeak(_deferredItems * ItemStride);
    }

    private void RaisePeak(long bytes)
    {
        var peak = Volatile.Read(ref _peakDeferredBytes);
        while (bytes > peak)
        {
            var seen = Interlocked.CompareExchange(ref _peakDeferredBytes, bytes, peak);
            if (seen == peak)
            {
                return;
            }
            peak = seen;
        }
    }

    /// <summary>Moves a cache's stamped bucket (already stamped) to the tail of the zone queue.</summary>
    private void QueueStampedLocked(ZoneCache cache)
    {
        if (cache.StampedBucket is { } stamped)
        {
            cache.StampedBucket = null;
            QueueLocked(stamped, stamped.Stamp);
        }
    }

    /// <summary>Invariant 4: waits for the oldest stamped buckets until the queued bytes are back under the cap.</summary>
    private void EnforceCap()
    {
        Debug.Assert(_smr is not null);
        if (_smr.IsInReadSection)
        {
            throw new InvalidOperationException(
                $"Zone '{Name}': more than {_maxDeferredBytes} bytes wait for readers and this free, made inside the caller's own read section, cannot wait for them. Free outside read sections.");
        }
        while (true)
        {
            Bucket oldest;
            lock (_lock)
            {
                if (_queuedItems * ItemStride <= _maxDeferredBytes || _pending.Count == 0)
                {
                    return;
                }
                oldest = _pending.Dequeue();
                _queuedItems -= oldest.Count;
                _capWaits++;
            }
            _smr.WaitCore(oldest.Stamp);
            ReclaimToReady(oldest);
        }
    }

    /// <summary>
    /// Reclaims stamped buckets from the head of the queue: those already expired, or all of them when
    /// <paramref name="wait"/>. Without <paramref name="scan"/> only the cached read sequence decides (no scan of the
    /// reader records): for callers whose own poll has just raised it.
    /// </summary>
    private void ReclaimPending(bool wait, bool scan = true)
    {
        if (_smr is null)
        {
            return;
        }
        if (wait && _smr.IsInReadSection)
        {
            throw new InvalidOperationException($"Zone '{Name}': Drain inside a read section of its Smr would wait for itself.");
        }
        while (true)
        {
            Bucket head;
            lock (_lock)
            {
                if (_pending.Count == 0 || (!wait && !(scan ? _smr.PollCore(_pending.Peek().Stamp) : _smr.Expired(_pending.Peek().Stamp))))
                {
                    return;
                }
                head = _pending.Dequeue();
                _queuedItems -= head.Count;
            }
            if (wait)
            {
                _smr.WaitCore(head.Stamp);
            }
            ReclaimToReady(head);
        }
    }

    /// <summary>Reclaims an expired bucket taken off the queue and puts it on <c>_ready</c>: its items are no longer deferred.</summary>
    private void ReclaimToReady(Bucket bucket)
    {
        Reclaim(bucket);
        lock (_lock)
        {
            _deferredItems -= bucket.Count;
            _ready.Push(bucket);
            _readyItems += bucket.Count;
        }
    }

    /// <summary>Runs the destructor (and in debug mode fini and poison) on every item of an expired SMR bucket.</summary>
    private void Reclaim(Bucket bucket)
    {
        if (_dtor is null && !_debug)
        {
            return;
        }
        for (var i = 0; i < bucket.Count; i++)
        {
            var item = bucket.Items[i];
            _dtor?.Invoke((void*)item);
            if (_debug)
            {
                Retire(item);
            }
        }
    }

    // ---- slabs -------------------------------------------------------------------------------------

    private Bucket TakeEmptyLocked() => _empty.Count > 0 ? _empty.Pop() : new Bucket(_bucketCapacity);

    private void FillFromSlabsLocked(Bucket bucket)
    {
        while (!bucket.IsFull)
        {
            if (_partial.Count == 0)
            {
                AddSlabLocked();
            }
            var slab = _partial[^1];
            var take = Math.Min(slab.FreeCount, bucket.Items.Length - bucket.Count);
            for (var i = 0; i < take; i++)
            {
                bucket.Items[bucket.Count++] = slab.Free[--slab.FreeCount];
            }
            _slabFreeItems -= take;
            if (slab.FreeCount == 0)
            {
                _partial.RemoveAt(_partial.Count - 1);
                slab.InPartial = false;
            }
        }
    }

    private void AddSlabLocked()
    {
        var slab = Slab.Create(ItemsPerSlab, ItemStride, _alignment, _debug, _init);
        var slabs = new Slab[_slabs.Length + 1];
        var at = 0;
        while (at < _slabs.Length && _slabs[at].Base < slab.Base)
        {
            at++;
        }
        Array.Copy(_slabs, 0, slabs, 0, at);
        slabs[at] = slab;
        Array.Copy(_slabs, at, slabs, at + 1, _slabs.Length - at);
        Volatile.Write(ref _slabs, slabs);
        slab.InPartial = true;
        _partial.Add(slab);
        _slabFreeItems += slab.Capacity;
    }

    private void ReturnToSlabsLocked(Bucket bucket)
    {
        for (var i = 0; i < bucket.Count; i++)
        {
            var item = bucket.Items[i];
            var slab = FindSlab(item) ?? throw new InvalidOperationException($"Zone '{Name}': cached item 0x{item:x} belongs to no slab; the cache is corrupt.");
            slab.Free[slab.FreeCount++] = item;
            if (!slab.InPartial)
            {
                slab.InPartial = true;
                _partial.Add(slab);
            }
        }
        _slabFreeItems += bucket.Count;
        bucket.Count = 0;
    }

    /// <summary>Moves ready buckets back to slabs and releases every slab whose items are all free.</summary>
    private void ReleaseCachedLocked()
    {
        while (_ready.Count > 0)
        {
            var bucket = _ready.Pop();
            _readyItems -= bucket.Count;
            ReturnToSlabsLocked(bucket);
            _empty.Push(bucket);
        }
        var kept = new List<Slab>(_slabs.Length);
        foreach (var slab in _slabs)
        {
            if (slab.FreeCount == slab.Capacity)
            {
                slab.Release(_fini);
                _slabFreeItems -= slab.Capacity;
                _partial.Remove(slab);
            }
            else
            {
                kept.Add(slab);
            }
        }
        if (kept.Count != _slabs.Length)
        {
            Volatile.Write(ref _slabs, kept.ToArray());
        }
    }

    private Slab? FindSlab(nint item)
    {
        var slabs = Volatile.Read(ref _slabs);
        int lo = 0, hi = slabs.Length - 1;
        while (lo <= hi)
        {
            var mid = (lo + hi) >>> 1;
            var slab = slabs[mid];
            if (item < slab.Base)
            {
                hi = mid - 1;
            }
            else if (item >= slab.End)
            {
                lo = mid + 1;
            }
            else
            {
                return slab;
            }
        }
        return null;
    }

    // ---- debug checks ------------------------------------------------------------------------------

    /// <summary>
    /// The checks of a call that left a cache's fast path: a disposed zone, a cache whose thread exited (ZoneCache
    /// invariant 3), and in debug mode a caller that is not the cache's thread (ZoneCache invariant 1).
    /// </summary>
    private void CheckCaller(ZoneCache cache)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (Volatile.Read(ref cache.Retired))
        {
            throw new InvalidOperationException($"Zone '{Name}': a thread cache used after its thread exited; take the current thread's with GetThreadCache.");
        }
        if (_debug && cache.OwnerThreadId != Environment.CurrentManagedThreadId)
        {
            throw new InvalidOperationException(
                $"Zone '{Name}': the thread cache of thread {cache.OwnerThreadId} used on thread {Environment.CurrentManagedThreadId}; a ZoneCache belongs to the thread that took it.");
        }
    }

    private (Slab Slab, int Index) Locate(nint item, string operation)
    {
        var slab = FindSlab(item);
        var index = slab?.IndexOf(item) ?? -1;
        if (slab is null || index < 0)
        {
            throw new InvalidOperationException($"Zone '{Name}': {operation} of 0x{item:x}, which is not an item of this zone.");
        }
        return (slab, index);
    }

    private void CheckFree(nint item)
    {
        var (slab, index) = Locate(item, "free");
        if (_smr is not null && _smr.IsInReadSection)
        {
            throw new InvalidOperationException($"Zone '{Name}': free of 0x{item:x} inside the caller's own read section (FreeBSD rule: leave the section first).");
        }
        var before = Interlocked.CompareExchange(ref slab.States![index], Slab.Deferred, Slab.InUse);
        if (before != Slab.InUse)
        {
            throw new InvalidOperationException($"Zone '{Name}': double free of 0x{item:x} (the item is not allocated).");
        }
    }

    private void Retire(nint item)
    {
        var (slab, index) = Locate(item, "reclaim");
        _fini?.Invoke((void*)item);
        new Span<byte>((void*)item, ItemSize).Fill(PoisonByte);
        Volatile.Write(ref slab.States![index], Slab.Poisoned);
    }

    private void PrepareForUse(nint item)
    {
        var (slab, index) = Locate(item, "allocation");
        var state = Volatile.Read(ref slab.States![index]);
        if (state == Slab.Poisoned)
        {
            var damaged = new ReadOnlySpan<byte>((void*)item, ItemSize).IndexOfAnyExcept(PoisonByte);
            if (damaged >= 0)
            {
                throw new InvalidOperationException($"Zone '{Name}': item 0x{item:x} was written after it was freed (byte {damaged} lost its poison).");
            }
            _init?.Invoke((void*)item);
        }
        else if (state != Slab.Cached)
        {
            throw new InvalidOperationException($"Zone '{Name}': item 0x{item:x} handed out while in state {state}; the free lists are corrupt.");
        }
        Volatile.Write(ref slab.States[index], Slab.InUse);
    }

}
