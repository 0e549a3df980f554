using System.Runtime.InteropServices;

namespace Bitfuse.Memory;

/// <summary>
/// One large chunk of native memory cut into equal items. Its free items sit in <see cref="Free"/> (a stack);
/// it goes back to the OS when every item is back. Touched only under its zone's lock, except
/// <see cref="States"/> (debug mode), which is updated with atomic operations.
/// </summary>
internal sealed unsafe class Slab
{
    /// <summary>Debug item state: free and constructed (fresh from <c>init</c>).</summary>
    public const int Cached = 0;

    /// <summary>Debug item state: handed out by <see cref="Zone.Alloc"/>.</summary>
    public const int InUse = 1;

    /// <summary>Debug item state: freed, waiting to be reclaimed (SMR zones wait for readers).</summary>
    public const int Deferred = 2;

    /// <summary>Debug item state: reclaimed, torn down and poisoned; checked and rebuilt on reuse.</summary>
    public const int Poisoned = 3;

    public readonly nint Base;
    public readonly int Capacity;
    public readonly int Stride;
    public readonly nint[] Free;
    public int FreeCount;
    public readonly int[]? States;
    public bool InPartial;

    private Slab(nint baseAddress, int capacity, int stride, bool debug)
    {
        Base = baseAddress;
        Capacity = capacity;
        Stride = stride;
        Free = new nint[capacity];
        States = debug ? new int[capacity] : null;
    }

    public nint End => Base + (nint)Capacity * Stride;

    /// <summary>Takes a chunk from the OS, runs <paramref name="init"/> on every item and fills the free stack (lowest address on top).</summary>
    public static Slab Create(int capacity, int stride, int alignment, bool debug, ItemCallback? init)
    {
        var bytes = (nuint)SlabBytes(capacity, stride);
        var memory = (nint)NativeMemory.AlignedAlloc(bytes, (nuint)Math.Max(alignment, 64));
        var slab = new Slab(memory, capacity, stride, debug);
        for (var i = 0; i < capacity; i++)
        {
            var item = memory + (nint)i * stride;
            init?.Invoke((void*)item);
            slab.Free[capacity - 1 - i] = item;
        }
        slab.FreeCount = capacity;
        return slab;
    }

    /// <summary>Bytes one slab takes from the OS.</summary>
    public static long SlabBytes(int capacity, int stride) => (long)capacity * stride;

    /// <summary>The item index of <paramref name="item"/>, or -1 when it is not the start of an item of this slab.</summary>
    public int IndexOf(nint item)
    {
        var offset = item - Base;
        if (offset < 0 || offset >= (nint)Capacity * Stride || offset % Stride != 0)
        {
            return -1;
        }
        return (int)(offset / Stride);
    }

    /// <summary>Runs <paramref name="fini"/> on every item still constructed and returns the chunk to the OS.</summary>
    public void Release(ItemCallback? fini)
    {
        if (fini is not null)
        {
            for (var i = 0; i < Capacity; i++)
            {
                if (States is null || States[i] == Cached)
                {
                    fini((void*)(Base + (nint)i * Stride));
                }
            }
        }
        NativeMemory.AlignedFree((void*)Base);
    }
}
