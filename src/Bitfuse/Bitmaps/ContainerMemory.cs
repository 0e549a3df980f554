using System.Runtime.InteropServices;

namespace Bitfuse.Bitmaps;

/// <summary>
/// The one place container payloads are allocated and freed. Bitsets are 8 KiB blocks aligned to 64 bytes;
/// arrays and runs are rounded up to a size class (16-byte steps up to 256 bytes, then eight classes per
/// doubling up to 8 KiB) so that a container's waste stays small; anything larger (a run list of more than
/// 2048 runs, which only exists transiently) is allocated exactly.
/// Invariant: <see cref="Free"/> receives exactly the kind, pointer and granted byte count that
/// <see cref="Alloc"/> returned.
/// </summary>
internal static unsafe class ContainerMemory
{
    /// <summary>The largest size class; larger requests are allocated exactly.</summary>
    public const int LargestClass = 8192;

    private static readonly int[] ClassBytes = BuildClasses();

    /// <summary>The byte sizes of the array/run size classes, ascending.</summary>
    public static ReadOnlySpan<int> SizeClasses => ClassBytes;

    /// <summary>Allocates a payload of at least <paramref name="bytes"/> for a container of <paramref name="kind"/>.</summary>
    public static void* Alloc(ContainerKind kind, int bytes, out int grantedBytes)
    {
        if (kind == ContainerKind.Bitset)
        {
            grantedBytes = 8192;
            return NativeMemory.AlignedAlloc(8192, 64);
        }
        grantedBytes = RoundUp(bytes);
        return NativeMemory.AlignedAlloc((nuint)grantedBytes, 16);
    }

    /// <summary>Returns a payload obtained from <see cref="Alloc"/>.</summary>
    public static void Free(ContainerKind kind, void* data, int grantedBytes)
    {
        _ = kind;
        _ = grantedBytes;
        NativeMemory.AlignedFree(data);
    }

    /// <summary>The granted size for a request of <paramref name="bytes"/>.</summary>
    public static int RoundUp(int bytes)
    {
        if (bytes > LargestClass)
        {
            return (bytes + 15) & ~15;
        }
        var classes = ClassBytes;
        var lo = 0;
        var hi = classes.Length - 1;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (classes[mid] < bytes)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }
        return classes[lo];
    }

    private static int[] BuildClasses()
    {
        var list = new List<int>();
        for (var b = 16; b <= 256; b += 16)
        {
            list.Add(b);
        }
        for (var doubling = 256; doubling < LargestClass; doubling *= 2)
        {
            for (var step = 1; step <= 8; step++)
            {
                list.Add(doubling + (doubling / 8 * step));
            }
        }
        return [.. list];
    }
}
