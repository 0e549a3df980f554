namespace Bitfuse.Storage;

/// <summary>Counters of a <see cref="MappedFile"/> since it was opened (a snapshot; reads are counted per processor and summed).</summary>
/// <param name="MappedReads">Reads served from the mapping: copies, and read scopes (a scope counts once, however many spans or pointers it hands out).</param>
/// <param name="SystemCallReads">Reads served by <c>pread</c> (the use-count protocol's fallback during a resize).</param>
/// <param name="BytesRead">Bytes handed out by all reads: copied, or viewed through a scope's spans and pointers.</param>
/// <param name="BytesWritten">Bytes written through <c>pwrite</c>.</param>
/// <param name="Extensions">Writes that grew the file's published length.</param>
/// <param name="Remaps">Whole-file mappings made at a new address (use count and SMR growth, reservation fallbacks).</param>
/// <param name="ExtentMaps">File extents mapped into the reservation in place (Reserve growth).</param>
/// <param name="ReservationFallbacks">Times a reservation ran out and the file moved to a doubled one (the outgrown one is unmapped once its readers have left).</param>
/// <param name="ResizeWaits">Times a use-count writer found readers inside and waited for them to drain.</param>
public readonly record struct MappedFileStatistics(
    long MappedReads,
    long SystemCallReads,
    long BytesRead,
    long BytesWritten,
    long Extensions,
    long Remaps,
    long ExtentMaps,
    long ReservationFallbacks,
    long ResizeWaits);
