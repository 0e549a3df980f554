namespace Bitfuse.Storage;

/// <summary>A hint about how a <see cref="MappedFile"/> will be read (<c>madvise</c> and <c>posix_fadvise</c>).</summary>
public enum AccessPattern
{
    /// <summary>No particular pattern: the kernel's default read-ahead.</summary>
    Normal,

    /// <summary>Random reads: no read-ahead.</summary>
    Random,

    /// <summary>Sequential reads: aggressive read-ahead, pages dropped behind.</summary>
    Sequential,

    /// <summary>The whole file will be needed soon: start reading it in now.</summary>
    WillNeed,
}
