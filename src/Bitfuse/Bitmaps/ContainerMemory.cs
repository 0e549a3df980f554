using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Bitfuse.Memory;

namespace Bitfuse.Bitmaps;

/// <summary>
/// The one place container payloads are allocated and freed. Bitsets are 8 KiB blocks aligned to 64 bytes;
/// arrays and runs are rounded up to a size class (8-byte steps up to 64 bytes, 16-byte steps up to 256, then eight classes per
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

    private static readonly Zone BitsetZone = new(new ZoneOptions { Name = "bitmap-bitset", ItemSize = 8192, Alignment = 64, Smr = Smr, BucketCapacity = BucketCapacity });
    private static readonly Zone?[] ClassZones = new Zone?[BuildClasses().Length];
    private static readonly Lock ZoneLock = new();

    /// <summary>The largest size class; larger requests are allocated exactly.</summary>
    public const int LargestClass = 8192;

    /// <summary>
    /// Items per per-thread bucket. Small buckets keep the set of freed-but-not-yet-reclaimed payloads (a few
    /// buckets per zone under SMR) cache-sized, so a free is reused while still warm.
    /// </summary>
    private const int BucketCapacity = 32;

    private static readonly int[] ClassBytes = BuildClasses();

    /// <summary>Size class index for every request rounded up to 8 bytes (index = bytes / 8), 0..8192 bytes.</summary>
    private static readonly byte[] ClassByEighths = BuildLookup();

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
            return AllocExact(grantedBytes);
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
            FreeExact(data);
        }
        else
        {
            ClassZones[ClassIndex(grantedBytes)]!.Free(data);
        }
    }

    // The native calls sit out of line: inlined, their P/Invoke frame would be set up on every Alloc and Free,
    // the zone fast paths included (the JIT sets the frame up in the prologue, whichever branch runs).
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void* AllocExact(int bytes) => NativeMemory.AlignedAlloc((nuint)bytes, 16);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void FreeExact(void* data) => NativeMemory.AlignedFree(data);

    /// <summary>
    /// Allocates a block of exactly <paramref name="bytes"/> aligned to 64 bytes for the packed payloads of a
    /// whole bitmap (<see cref="PayloadBlock"/>), bitsets first. Native memory, like the requests beyond the
    /// largest class: the owning bitmap frees it when it is disposed, never while its own containers are read.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void* AllocBlock(int bytes) => NativeMemory.AlignedAlloc((nuint)bytes, 64);

    /// <summary>Returns a block obtained from <see cref="AllocBlock"/>.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void FreeBlock(void* data) => NativeMemory.AlignedFree(data);

    /// <summary>The granted size for a request of <paramref name="bytes"/>.</summary>
    public static int RoundUp(int bytes)
    {
        return bytes > LargestClass ? (bytes + 15) & ~15 : ClassBytes[ClassIndex(bytes)];
    }

    private static int ClassIndex(int bytes) => ClassByEighths[(bytes + 7) >> 3];

    private static Zone CreateZone(int index)
    {
        lock (ZoneLock)
        {
            return ClassZones[index] ??= new Zone(new ZoneOptions { Name = $"bitmap-{ClassBytes[index]}", ItemSize = ClassBytes[index], Alignment = 8, Smr = Smr, BucketCapacity = BucketCapacity });
        }
    }

    private static byte[] BuildLookup()
    {
        var lookup = new byte[LargestClass / 8 + 1];
        var c = 0;
        for (var eighths = 0; eighths < lookup.Length; eighths++)
        {
            while (ClassBytes[c] < eighths * 8)
            {
                c++;
            }
            lookup[eighths] = (byte)c;
        }
        return lookup;
    }

    private static int[] BuildClasses()
    {
        var list = new List<int>();
        for (var b = 8; b <= 64; b += 8)
        {
            list.Add(b);
        }
        for (var b = 80; b <= 256; b += 16)
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
