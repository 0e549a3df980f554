using System.Runtime.InteropServices;
using Bitfuse.Memory;

namespace Bitfuse.Bitmaps;

/// <summary>
/// The one place container payloads are allocated and freed. Bitsets are 8 KiB blocks aligned to 64 bytes;
/// arrays and runs are rounded up to a size class (16-byte steps up to 256 bytes, then eight classes per
/// doubling up to 8 KiB) so that a container's waste stays small; anything larger (a run list of more than
/// 2048 runs, which only exists transiently) is allocated exactly with native memory.
/// Every class is a <see cref="Zone"/> that reclaims through one shared <see cref="Smr"/>: a reader that
/// entered <see cref="Smr"/> before a container was freed may still read the old bytes, and the zone
/// reuses them only after every such reader has left.
/// Invariants: <see cref="Free"/> receives exactly the kind, pointer and granted byte count that
/// <see cref="Alloc"/> returned; zones are created on first use and live for the process.
/// </summary>
internal static unsafe class ContainerMemory
{
    /// <summary>The reclamation domain of all container memory: readers of shared bitmaps enter it.</summary>
    public static readonly Smr Smr = new();

    private static readonly Zone BitsetZone = new(new ZoneOptions { Name = "bitmap-bitset", ItemSize = 8192, Alignment = 64, Smr = Smr });
    private static readonly Zone?[] ClassZones = new Zone?[BuildClasses().Length];
    private static readonly Lock ZoneLock = new();

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
            return BitsetZone.Alloc();
        }
        if (bytes > LargestClass)
        {
            grantedBytes = (bytes + 15) & ~15;
            return NativeMemory.AlignedAlloc((nuint)grantedBytes, 16);
        }
        var index = ClassIndex(bytes);
        grantedBytes = ClassBytes[index];
        return (ClassZones[index] ?? CreateZone(index)).Alloc();
    }

    /// <summary>Returns a payload obtained from <see cref="Alloc"/>.</summary>
    public static void Free(ContainerKind kind, void* data, int grantedBytes)
    {
        if (kind == ContainerKind.Bitset)
        {
            BitsetZone.Free(data);
        }
        else if (grantedBytes > LargestClass)
        {
            NativeMemory.AlignedFree(data);
        }
        else
        {
            ClassZones[ClassIndex(grantedBytes)]!.Free(data);
        }
    }

    /// <summary>The granted size for a request of <paramref name="bytes"/>.</summary>
    public static int RoundUp(int bytes)
    {
        return bytes > LargestClass ? (bytes + 15) & ~15 : ClassBytes[ClassIndex(bytes)];
    }

    private static int ClassIndex(int bytes)
    {
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
        return lo;
    }

    private static Zone CreateZone(int index)
    {
        lock (ZoneLock)
        {
            return ClassZones[index] ??= new Zone(new ZoneOptions { Name = $"bitmap-{ClassBytes[index]}", ItemSize = ClassBytes[index], Alignment = 16, Smr = Smr });
        }
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
