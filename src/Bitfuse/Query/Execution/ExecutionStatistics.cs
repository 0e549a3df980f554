namespace Bitfuse.Query.Execution;

/// <summary>What one evaluation over bitmaps did, key by key.</summary>
/// <param name="KeysVisited">Keys (high 16 bits) considered.</param>
/// <param name="KeysSkipped">Keys whose answer was empty without reading any container.</param>
/// <param name="KeysCopied">Keys answered by copying or counting one input's container (or the full range).</param>
/// <param name="KeysDense">Keys run through a fused kernel, or combined (an and or an or of many inputs) in one scratch bitset.</param>
/// <param name="KeysSparse">Keys answered by merging containers' values or runs.</param>
/// <param name="ContainersExpanded">Array or run containers expanded into a scratch bitset for a kernel.</param>
/// <param name="BytesRead">Container payload bytes read.</param>
/// <param name="Elapsed">Wall time of the evaluation.</param>
public sealed record ExecutionStatistics(
    long KeysVisited,
    long KeysSkipped,
    long KeysCopied,
    long KeysDense,
    long KeysSparse,
    long ContainersExpanded,
    long BytesRead,
    TimeSpan Elapsed);
