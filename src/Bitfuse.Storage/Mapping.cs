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

    private readonly nint _releaseAddress;
    private readonly long _releaseBytes;

    public Mapping(nint address, long capacity, long mappedEnd)
        : this(address, capacity, mappedEnd, address, capacity)
    {
    }

    /// <summary>A range at <paramref name="address"/> carved out of a larger one (for alignment) that is released whole.</summary>
    public Mapping(nint address, long capacity, long mappedEnd, nint releaseAddress, long releaseBytes)
    {
        Address = address;
        Capacity = capacity;
        MappedEnd = mappedEnd;
        _releaseAddress = releaseAddress;
        _releaseBytes = releaseBytes;
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
        if (_releaseBytes > 0 && Libc.MUnmap(_releaseAddress, (nuint)_releaseBytes) != 0)
        {
            throw Errors.LastFailure(path, "munmap");
        }
    }
}
