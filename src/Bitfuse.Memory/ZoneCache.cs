namespace Bitfuse.Memory;

/// <summary>
/// One thread's cache in one zone: an alloc bucket (items ready to hand out) and a free bucket (items freed by the
/// thread). Only the owning thread touches the buckets, except after the thread exited (finalizer flush) or when the
/// idle trimmer has claimed the cache through the <see cref="Busy"/>/<see cref="Claimed"/> handshake.
/// </summary>
internal sealed class ZoneCache
{
    public readonly Zone Zone;
    public Bucket AllocBucket;
    public Bucket FreeBucket;
    public long Allocations;
    public long Frees;

    /// <summary>1 while the owner is inside a zone operation (plain stores; see <see cref="Zone"/>'s trim handshake).</summary>
    public int Busy;

    /// <summary>1 while the idle trimmer owns the buckets.</summary>
    public int Claimed;

    /// <summary>The owner's last operation count seen by the idle trimmer.</summary>
    public long SeenOperations = -1;

    /// <summary>When the idle trimmer first saw <see cref="SeenOperations"/> unchanged (Stopwatch ticks).</summary>
    public long IdleSince;

    /// <summary>True once the owner thread exited and the cache was flushed.</summary>
    public bool Retired;

    public ZoneCache(Zone zone, Bucket allocBucket, Bucket freeBucket)
    {
        Zone = zone;
        AllocBucket = allocBucket;
        FreeBucket = freeBucket;
    }
}
