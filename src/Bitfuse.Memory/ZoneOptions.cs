namespace Bitfuse.Memory;

/// <summary>Settings of a <see cref="Zone"/>.</summary>
public sealed record ZoneOptions
{
    /// <summary>The zone's name (statistics, metrics tags, error messages).</summary>
    public required string Name { get; init; }

    /// <summary>Bytes per item, 1 to 16 MiB.</summary>
    public required int ItemSize { get; init; }

    /// <summary>Alignment of every item: a power of two from 1 to 4096. 8 KiB bitset items need 64.</summary>
    public int Alignment { get; init; } = 16;

    /// <summary>Non-null: an SMR zone. Freed items are reused only after every reader that might see them has left.</summary>
    public Smr? Smr { get; init; }

    /// <summary>
    /// Cap on bytes of freed items held back by readers (SMR zones). Past it a free waits for readers
    /// (<see cref="Smr.Synchronize"/>-style) instead of letting memory grow. 0 = the default: the larger of 16 MiB
    /// and 16 buckets' worth.
    /// </summary>
    public long MaxDeferredBytes { get; init; }

    /// <summary>Runs once on each item when its memory enters the zone (slab creation). Items stay constructed while cached.</summary>
    public ItemCallback? Init { get; init; }

    /// <summary>Runs once on each item when its memory leaves the zone (<see cref="Zone.Trim"/>, <see cref="Zone.Drain"/>, dispose).</summary>
    public ItemCallback? Fini { get; init; }

    /// <summary>Runs on every <see cref="Zone.Alloc"/>, before the item is returned.</summary>
    public ItemCallback? Constructor { get; init; }

    /// <summary>Runs on every freed item: at <see cref="Zone.Free"/> in plain zones, when its bucket is found expired in SMR zones.</summary>
    public ItemCallback? Destructor { get; init; }

    /// <summary>
    /// Debug checks (poison on free and check on reuse, double-free detection, foreign-pointer rejection, the SMR
    /// rules). <see langword="null"/> follows <see cref="MemoryDebug.Enabled"/>. In debug mode a reclaimed item is also
    /// torn down with <see cref="Fini"/> before poisoning and rebuilt with <see cref="Init"/> after the poison check.
    /// </summary>
    public bool? DebugChecks { get; init; }

    /// <summary>Items per per-thread bucket; 0 = chosen from the item size (16 to 256).</summary>
    public int BucketCapacity { get; init; }

    /// <summary>
    /// After this long without slow-path activity, the idle trimmer returns the zone's cached buckets and empty
    /// slabs to the OS, and flushes the caches of threads that have not touched the zone. Zero or negative: never.
    /// </summary>
    public TimeSpan IdleTrimAfter { get; init; } = TimeSpan.FromSeconds(10);
}
