namespace Bitfuse.Storage;

/// <summary>The points between the use-count protocol's steps where a test hook may run.</summary>
internal enum UseCountStep
{
    /// <summary>Reader: the use count has been incremented (the current ordering's first step).</summary>
    ReaderIncremented,

    /// <summary>Reader: the resizing flag was found clear (the original ordering's first step).</summary>
    ReaderCheckedFlag,

    /// <summary>Reader: about to copy from the mapping at the given base.</summary>
    ReaderWillCopy,

    /// <summary>Writer: the resizing flag is set by this thread.</summary>
    WriterSetFlag,

    /// <summary>Writer: readers are inside; waiting for the count to drain (reported once per resize).</summary>
    WriterWaitingForReaders,

    /// <summary>Writer: the count drained to zero.</summary>
    WriterDrained,

    /// <summary>Writer: the old mapping at the given base has been unmapped; the new one is not yet published.</summary>
    WriterUnmapped,
}
