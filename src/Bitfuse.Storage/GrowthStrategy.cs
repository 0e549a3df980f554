namespace Bitfuse.Storage;

/// <summary>How a <see cref="MappedFile"/> keeps readers safe while the file grows. Chosen at open.</summary>
public enum GrowthStrategy
{
    /// <summary>
    /// Reserve a large address range once and map new file extents into it at fixed addresses, so the
    /// base never moves and readers run no per-read protocol. When the range runs out, the file is
    /// remapped into a doubled range and the old one is retired through SMR. The default.
    /// </summary>
    Reserve,

    /// <summary>
    /// The use-count protocol: readers count themselves in and fall back to <c>pread</c> while a resize
    /// is in progress; the writer waits for readers to drain, then unmaps and remaps the whole file.
    /// Kept to be compared against.
    /// </summary>
    UseCount,

    /// <summary>
    /// Remap the whole file at a new address on every growth past the mapping and retire the old
    /// mapping through SMR, unmapping it only after every reader that could hold it has left.
    /// </summary>
    Smr,
}
