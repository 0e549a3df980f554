namespace Bitfuse.Memory;

/// <summary>How an <see cref="Smr"/> trades reader cost against writer cost.</summary>
public enum SmrMode
{
    /// <summary>Entering a read section stores the sequence and issues a full fence (one locked instruction).</summary>
    Default,

    /// <summary>
    /// Entering a read section is a plain store. A poller that must scan the readers first issues
    /// <see cref="Interlocked.MemoryBarrierProcessWide"/> (Linux <c>membarrier</c>), which orders every
    /// reader's pending store before the scan. Cheapest readers, most expensive slow polls.
    /// </summary>
    Lazy,

    /// <summary>
    /// Fenced readers as in <see cref="Default"/>, but most calls to <see cref="Smr.Advance"/> return a goal one
    /// step ahead of the write sequence without writing the shared cache line; the first poll of such a goal
    /// moves the write sequence up to it.
    /// </summary>
    Deferred,
}
