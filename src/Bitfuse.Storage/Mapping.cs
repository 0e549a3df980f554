using Bitfuse.Storage.Native;

namespace Bitfuse.Storage;

/// <summary>
/// One address range holding (a prefix of) the file: a whole-file mapping, or a reservation whose
/// first <see cref="MappedEnd"/> bytes map the file and whose rest is inaccessible. Immutable except
/// <see cref="MappedEnd"/>, which only the writer reads and advances.
/// </summary>
internal sealed class Mapping
{
    /// <summary>A mapping of an empty file: no address range at all.</summary>
    public static readonly Mapping Empty = new(0, 0, 0);

    public Mapping(nint address, long capacity, long mappedEnd)
    {
        Address = address;
        Capacity = capacity;
        MappedEnd = mappedEnd;
    }

    /// <summary>The first byte of the range (file offset 0).</summary>
    public nint Address { get; }

    /// <summary>The size of the range in bytes.</summary>
    public long Capacity { get; }

    /// <summary>The file bytes mapped from <see cref="Address"/> (page multiple; may run past the end of the file).</summary>
    public long MappedEnd { get; set; }

    /// <summary>Unmaps the whole range.</summary>
    public void Release(string path)
    {
        if (Capacity > 0 && Libc.MUnmap(Address, (nuint)Capacity) != 0)
        {
            throw Errors.LastFailure(path, "munmap");
        }
    }
}
