using System.Buffers;
using System.Runtime.InteropServices;
using Bitfuse.Memory;

namespace Bitfuse.Benchmarks.Suites;

/// <summary>An allocator under test, as a struct so generic loops over it compile to direct calls.</summary>
public interface IItemSource<T>
{
    /// <summary>One item.</summary>
    T Alloc();

    /// <summary>Gives <paramref name="item"/> back.</summary>
    void Free(T item);
}

/// <summary>A Bitfuse <see cref="Zone"/>.</summary>
public readonly unsafe struct ZoneSource(Zone zone) : IItemSource<nint>
{
    /// <inheritdoc />
    public nint Alloc() => (nint)zone.Alloc();

    /// <inheritdoc />
    public void Free(nint item) => zone.Free((void*)item);
}

/// <summary><see cref="NativeMemory.AlignedAlloc"/> and <see cref="NativeMemory.AlignedFree"/> (glibc).</summary>
public readonly unsafe struct NativeSource(int size, int alignment) : IItemSource<nint>
{
    /// <inheritdoc />
    public nint Alloc() => (nint)NativeMemory.AlignedAlloc((nuint)size, (nuint)alignment);

    /// <inheritdoc />
    public void Free(nint item) => NativeMemory.AlignedFree((void*)item);
}

/// <summary>Managed arrays from <see cref="GC.AllocateUninitializedArray{T}"/>; free drops the reference.</summary>
public readonly struct ManagedSource(int size) : IItemSource<byte[]>
{
    /// <inheritdoc />
    public byte[] Alloc() => GC.AllocateUninitializedArray<byte>(size);

    /// <inheritdoc />
    public void Free(byte[] item)
    {
    }
}

/// <summary><see cref="ArrayPool{T}.Shared"/> rent and return.</summary>
public readonly struct ArrayPoolSource(int size) : IItemSource<byte[]>
{
    /// <inheritdoc />
    public byte[] Alloc() => ArrayPool<byte>.Shared.Rent(size);

    /// <inheritdoc />
    public void Free(byte[] item) => ArrayPool<byte>.Shared.Return(item);
}
