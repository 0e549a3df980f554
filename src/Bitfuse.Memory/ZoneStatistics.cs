namespace Bitfuse.Memory;

/// <summary>
/// A snapshot of a zone's accounting. Per-thread counters are read without stopping their threads, so a snapshot
/// taken while other threads allocate is approximate; on a quiet zone
/// <c>ItemsInUse + ItemsCached + ItemsDeferred == ItemsPerSlab * Slabs</c> holds exactly.
/// </summary>
public sealed record ZoneStatistics
{
    /// <summary>The zone's name.</summary>
    public required string Name { get; init; }

    /// <summary>Bytes per item as requested.</summary>
    public required int ItemSize { get; init; }

    /// <summary>Bytes per item including alignment padding.</summary>
    public required int ItemStride { get; init; }

    /// <summary>Items handed out and not yet freed.</summary>
    public required long ItemsInUse { get; init; }

    /// <summary>Free items ready for reuse: in per-thread buckets, zone buckets and slabs.</summary>
    public required long ItemsCached { get; init; }

    /// <summary>Freed items not yet proven unreachable by readers (SMR zones), including unstamped per-thread free buckets.</summary>
    public required long ItemsDeferred { get; init; }

    /// <summary>Bytes of <see cref="ItemsDeferred"/>.</summary>
    public long DeferredBytes => ItemsDeferred * ItemStride;

    /// <summary>
    /// Peak of the deferred bytes since creation, taken whenever a bucket is stamped and before each refill of an
    /// alloc bucket: the zone queue, buckets being waited for, and the calling thread's own stamped and free buckets
    /// (with one freeing thread, only items it freed since its last stamp or refill can be missed, when a cap wait or a
    /// trim reclaims buckets in between).
    /// </summary>
    public required long PeakDeferredBytes { get; init; }

    /// <summary>Slabs held.</summary>
    public required long Slabs { get; init; }

    /// <summary>Items per slab.</summary>
    public required int ItemsPerSlab { get; init; }

    /// <summary>Bytes of memory taken from the OS and not yet returned.</summary>
    public required long BytesFromOs { get; init; }

    /// <summary>Allocations since creation.</summary>
    public required long Allocations { get; init; }

    /// <summary>Frees since creation.</summary>
    public required long Frees { get; init; }

    /// <summary>Frees that had to wait for readers because the deferred bytes passed the cap.</summary>
    public required long CapWaits { get; init; }

    /// <summary>Threads with a cache in this zone.</summary>
    public required int ThreadCaches { get; init; }
}
