namespace Bitfuse.Bitmaps;

/// <summary>
/// One allocation that holds every payload of a whole deserialized bitmap, packed end to end (bitsets first,
/// each at a multiple of 64 bytes, then the arrays and runs), so reading a bitmap costs one allocation instead
/// of one per container. The bitmap that read it owns it and frees it when disposed; its containers point into
/// it without owning their payload (<see cref="Container.Owned"/> is false, so freeing one of them, or
/// replacing it after a change, leaves the block alone). A small block without bitsets comes from a
/// <see cref="ContainerMemory"/> size class; anything else from <see cref="ContainerMemory.AllocBlock"/>.
/// </summary>
internal unsafe struct PayloadBlock
{
    /// <summary>The packed payloads; null for an empty bitmap.</summary>
    public void* Data;

    /// <summary>Bytes allocated; 0 when <see cref="Data"/> is null.</summary>
    public int Bytes;

    private bool _exact;

    /// <summary>
    /// A block of at least <paramref name="bitsets"/> × 8 KiB (64-byte aligned) followed by
    /// <paramref name="packedBytes"/> bytes, or an empty one when both are 0.
    /// </summary>
    public static PayloadBlock Allocate(int bitsets, long packedBytes)
    {
        var bytes = checked((int)(8192L * bitsets + packedBytes));
        if (bytes == 0)
        {
            return default;
        }
        if (bitsets == 0 && bytes <= ContainerMemory.LargestClass)
        {
            var data = ContainerMemory.Alloc(ContainerKind.Array, bytes, out var granted);
            return new PayloadBlock { Data = data, Bytes = granted };
        }
        return new PayloadBlock { Data = ContainerMemory.AllocBlock(bytes), Bytes = bytes, _exact = true };
    }

    /// <summary>Returns the memory and empties the descriptor (no-op when empty).</summary>
    public void Free()
    {
        if (Data != null)
        {
            if (_exact)
            {
                ContainerMemory.FreeBlock(Data);
            }
            else
            {
                ContainerMemory.Free(ContainerKind.Array, Data, Bytes);
            }
        }
        this = default;
    }
}
