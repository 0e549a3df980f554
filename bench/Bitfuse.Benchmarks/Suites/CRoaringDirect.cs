// CRoaring called directly: the libroaring native library that the Roaring.Net package ships, through
// unmanaged function pointers with [SuppressGCTransition]: no wrapper object per result, no GC transition
// and no allocation per call, which is how a C caller pays for it.
// Invariants:
//  1. Every pointer of type roaring_bitmap_t* that a function here returns is owned by the caller and freed
//     with Free exactly once; inputs are never freed by the functions that take them.
//  2. SuppressGCTransition is sound only for calls that neither block nor call back into .NET: every function
//     here is a pure computation over native memory, except Iterate, which calls back into .NET per value and
//     so keeps the ordinary transition.
//  3. Benchmarks and tests only: nothing in src/ references this.
using System.Reflection;
using System.Runtime.InteropServices;
using Roaring.Net.CRoaring;

namespace Bitfuse.Benchmarks.Suites;

/// <summary>The subset of CRoaring's C API the baselines use, as function pointers into libroaring.</summary>
public static unsafe class CRoaringDirect
{
    private static readonly nint Library = Load();

    /// <summary>roaring_bitmap_create.</summary>
    public static readonly delegate* unmanaged[SuppressGCTransition]<nint> Create = (delegate* unmanaged[SuppressGCTransition]<nint>)Export("roaring_bitmap_create");

    /// <summary>roaring_bitmap_free.</summary>
    public static readonly delegate* unmanaged[SuppressGCTransition]<nint, void> Free = (delegate* unmanaged[SuppressGCTransition]<nint, void>)Export("roaring_bitmap_free");

    /// <summary>roaring_bitmap_add_many(r, n, values).</summary>
    public static readonly delegate* unmanaged[SuppressGCTransition]<nint, nuint, uint*, void> AddMany =
        (delegate* unmanaged[SuppressGCTransition]<nint, nuint, uint*, void>)Export("roaring_bitmap_add_many");

    /// <summary>roaring_bitmap_run_optimize.</summary>
    public static readonly delegate* unmanaged[SuppressGCTransition]<nint, byte> RunOptimize = (delegate* unmanaged[SuppressGCTransition]<nint, byte>)Export("roaring_bitmap_run_optimize");

    /// <summary>roaring_bitmap_get_cardinality.</summary>
    public static readonly delegate* unmanaged[SuppressGCTransition]<nint, ulong> Cardinality = (delegate* unmanaged[SuppressGCTransition]<nint, ulong>)Export("roaring_bitmap_get_cardinality");

    /// <summary>roaring_bitmap_is_empty.</summary>
    public static readonly delegate* unmanaged[SuppressGCTransition]<nint, byte> IsEmpty = (delegate* unmanaged[SuppressGCTransition]<nint, byte>)Export("roaring_bitmap_is_empty");

    /// <summary>roaring_bitmap_and (a new bitmap).</summary>
    public static readonly delegate* unmanaged[SuppressGCTransition]<nint, nint, nint> And = Binary("roaring_bitmap_and");

    /// <summary>roaring_bitmap_or (a new bitmap).</summary>
    public static readonly delegate* unmanaged[SuppressGCTransition]<nint, nint, nint> Or = Binary("roaring_bitmap_or");

    /// <summary>roaring_bitmap_xor (a new bitmap).</summary>
    public static readonly delegate* unmanaged[SuppressGCTransition]<nint, nint, nint> Xor = Binary("roaring_bitmap_xor");

    /// <summary>roaring_bitmap_andnot (a new bitmap).</summary>
    public static readonly delegate* unmanaged[SuppressGCTransition]<nint, nint, nint> AndNot = Binary("roaring_bitmap_andnot");

    /// <summary>roaring_bitmap_and_inplace.</summary>
    public static readonly delegate* unmanaged[SuppressGCTransition]<nint, nint, void> AndInPlace = InPlace("roaring_bitmap_and_inplace");

    /// <summary>roaring_bitmap_or_inplace.</summary>
    public static readonly delegate* unmanaged[SuppressGCTransition]<nint, nint, void> OrInPlace = InPlace("roaring_bitmap_or_inplace");

    /// <summary>roaring_bitmap_xor_inplace.</summary>
    public static readonly delegate* unmanaged[SuppressGCTransition]<nint, nint, void> XorInPlace = InPlace("roaring_bitmap_xor_inplace");

    /// <summary>roaring_bitmap_andnot_inplace.</summary>
    public static readonly delegate* unmanaged[SuppressGCTransition]<nint, nint, void> AndNotInPlace = InPlace("roaring_bitmap_andnot_inplace");

    /// <summary>roaring_bitmap_and_cardinality.</summary>
    public static readonly delegate* unmanaged[SuppressGCTransition]<nint, nint, ulong> AndCardinality = Count("roaring_bitmap_and_cardinality");

    /// <summary>roaring_bitmap_or_cardinality.</summary>
    public static readonly delegate* unmanaged[SuppressGCTransition]<nint, nint, ulong> OrCardinality = Count("roaring_bitmap_or_cardinality");

    /// <summary>roaring_bitmap_xor_cardinality.</summary>
    public static readonly delegate* unmanaged[SuppressGCTransition]<nint, nint, ulong> XorCardinality = Count("roaring_bitmap_xor_cardinality");

    /// <summary>roaring_bitmap_andnot_cardinality.</summary>
    public static readonly delegate* unmanaged[SuppressGCTransition]<nint, nint, ulong> AndNotCardinality = Count("roaring_bitmap_andnot_cardinality");

    /// <summary>roaring_bitmap_lazy_or(a, b, bitsetconversion): a new bitmap to repair before use.</summary>
    public static readonly delegate* unmanaged[SuppressGCTransition]<nint, nint, byte, nint> LazyOr =
        (delegate* unmanaged[SuppressGCTransition]<nint, nint, byte, nint>)Export("roaring_bitmap_lazy_or");

    /// <summary>roaring_bitmap_lazy_or_inplace(a, b, bitsetconversion).</summary>
    public static readonly delegate* unmanaged[SuppressGCTransition]<nint, nint, byte, void> LazyOrInPlace =
        (delegate* unmanaged[SuppressGCTransition]<nint, nint, byte, void>)Export("roaring_bitmap_lazy_or_inplace");

    /// <summary>roaring_bitmap_repair_after_lazy.</summary>
    public static readonly delegate* unmanaged[SuppressGCTransition]<nint, void> RepairAfterLazy =
        (delegate* unmanaged[SuppressGCTransition]<nint, void>)Export("roaring_bitmap_repair_after_lazy");

    /// <summary>roaring_bitmap_or_many(n, bitmaps).</summary>
    public static readonly delegate* unmanaged[SuppressGCTransition]<nuint, nint*, nint> OrMany =
        (delegate* unmanaged[SuppressGCTransition]<nuint, nint*, nint>)Export("roaring_bitmap_or_many");

    /// <summary>roaring_bitmap_or_many_heap(n, bitmaps).</summary>
    public static readonly delegate* unmanaged[SuppressGCTransition]<uint, nint*, nint> OrManyHeap =
        (delegate* unmanaged[SuppressGCTransition]<uint, nint*, nint>)Export("roaring_bitmap_or_many_heap");

    /// <summary>roaring_bitmap_xor_many(n, bitmaps).</summary>
    public static readonly delegate* unmanaged[SuppressGCTransition]<nuint, nint*, nint> XorMany =
        (delegate* unmanaged[SuppressGCTransition]<nuint, nint*, nint>)Export("roaring_bitmap_xor_many");

    /// <summary>roaring_bitmap_flip(r, start, end): a new bitmap, [start, end) complemented.</summary>
    public static readonly delegate* unmanaged[SuppressGCTransition]<nint, ulong, ulong, nint> Flip =
        (delegate* unmanaged[SuppressGCTransition]<nint, ulong, ulong, nint>)Export("roaring_bitmap_flip");

    /// <summary>roaring_bitmap_contains.</summary>
    public static readonly delegate* unmanaged[SuppressGCTransition]<nint, uint, byte> Contains =
        (delegate* unmanaged[SuppressGCTransition]<nint, uint, byte>)Export("roaring_bitmap_contains");

    /// <summary>roaring_bitmap_contains_bulk(r, context, value): the context caches the last container found.</summary>
    public static readonly delegate* unmanaged[SuppressGCTransition]<nint, BulkContext*, uint, byte> ContainsBulk =
        (delegate* unmanaged[SuppressGCTransition]<nint, BulkContext*, uint, byte>)Export("roaring_bitmap_contains_bulk");

    /// <summary>roaring_bitmap_to_uint32_array(r, destination).</summary>
    public static readonly delegate* unmanaged[SuppressGCTransition]<nint, uint*, void> ToArray =
        (delegate* unmanaged[SuppressGCTransition]<nint, uint*, void>)Export("roaring_bitmap_to_uint32_array");

    /// <summary>roaring_iterator_create(r): a heap iterator, freed with <see cref="IteratorFree"/>.</summary>
    public static readonly delegate* unmanaged[SuppressGCTransition]<nint, nint> IteratorCreate =
        (delegate* unmanaged[SuppressGCTransition]<nint, nint>)Export("roaring_iterator_create");

    /// <summary>roaring_uint32_iterator_read(it, buffer, count): values read.</summary>
    public static readonly delegate* unmanaged[SuppressGCTransition]<nint, uint*, uint, uint> IteratorRead =
        (delegate* unmanaged[SuppressGCTransition]<nint, uint*, uint, uint>)Export("roaring_uint32_iterator_read");

    /// <summary>roaring_uint32_iterator_free.</summary>
    public static readonly delegate* unmanaged[SuppressGCTransition]<nint, void> IteratorFree =
        (delegate* unmanaged[SuppressGCTransition]<nint, void>)Export("roaring_uint32_iterator_free");

    /// <summary>roaring_iterate(r, callback, context): calls back per value (CRoaring's own iteration benchmark); a GC transition per call.</summary>
    public static readonly delegate* unmanaged<nint, delegate* unmanaged<uint, void*, byte>, void*, byte> Iterate =
        (delegate* unmanaged<nint, delegate* unmanaged<uint, void*, byte>, void*, byte>)Export("roaring_iterate");

    /// <summary>roaring_bitmap_portable_size_in_bytes.</summary>
    public static readonly delegate* unmanaged[SuppressGCTransition]<nint, nuint> PortableSize =
        (delegate* unmanaged[SuppressGCTransition]<nint, nuint>)Export("roaring_bitmap_portable_size_in_bytes");

    /// <summary>roaring_bitmap_portable_serialize(r, buffer): bytes written.</summary>
    public static readonly delegate* unmanaged[SuppressGCTransition]<nint, byte*, nuint> PortableSerialize =
        (delegate* unmanaged[SuppressGCTransition]<nint, byte*, nuint>)Export("roaring_bitmap_portable_serialize");

    /// <summary>roaring_bitmap_portable_deserialize_safe(buffer, maxbytes): null on bad input.</summary>
    public static readonly delegate* unmanaged[SuppressGCTransition]<byte*, nuint, nint> PortableDeserializeSafe =
        (delegate* unmanaged[SuppressGCTransition]<byte*, nuint, nint>)Export("roaring_bitmap_portable_deserialize_safe");

    /// <summary>roaring_bitmap_portable_deserialize(buffer): trusts its input.</summary>
    public static readonly delegate* unmanaged[SuppressGCTransition]<byte*, nint> PortableDeserialize =
        (delegate* unmanaged[SuppressGCTransition]<byte*, nint>)Export("roaring_bitmap_portable_deserialize");

    /// <summary>The state roaring_bitmap_contains_bulk keeps between calls (roaring_bulk_context_t); start zeroed per bitmap.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 16)]
    public struct BulkContext
    {
    }

    /// <summary>A new bitmap holding <paramref name="values"/>, run-optimized as CRoaring's own benchmarks do.</summary>
    public static nint FromValues(ReadOnlySpan<uint> values)
    {
        var bitmap = Create();
        fixed (uint* p = values)
        {
            AddMany(bitmap, (nuint)values.Length, p);
        }
        RunOptimize(bitmap);
        return bitmap;
    }

    /// <summary>The values of <paramref name="bitmap"/> in ascending order.</summary>
    public static uint[] Values(nint bitmap)
    {
        var values = new uint[checked((int)Cardinality(bitmap))];
        fixed (uint* p = values)
        {
            ToArray(bitmap, p);
        }
        return values;
    }

    /// <summary>The answer (cardinality and value hash) of <paramref name="bitmap"/>.</summary>
    public static Compare.Answer Answer(nint bitmap) => Compare.Answer.Of(Values(bitmap));

    private static nint Load()
    {
        // The runtime's own probing for Roaring.Net's P/Invokes finds the copy in the build output; the NuGet
        // package folder is the fallback for a build that did not copy it.
        if (NativeLibrary.TryLoad("roaring", typeof(Roaring32Bitmap).Assembly, DllImportSearchPath.AssemblyDirectory, out var handle)
            || NativeLibrary.TryLoad("libroaring", typeof(Roaring32Bitmap).Assembly, null, out handle))
        {
            return handle;
        }
        var version = typeof(Roaring32Bitmap).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "";
        var packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        var path = Path.Combine(packages, "roaring.net", version, "runtimes", "linux-x64", "native", "libroaring.so");
        return NativeLibrary.Load(path);
    }

    private static nint Export(string name) => NativeLibrary.GetExport(Library, name);

    private static delegate* unmanaged[SuppressGCTransition]<nint, nint, nint> Binary(string name) =>
        (delegate* unmanaged[SuppressGCTransition]<nint, nint, nint>)Export(name);

    private static delegate* unmanaged[SuppressGCTransition]<nint, nint, void> InPlace(string name) =>
        (delegate* unmanaged[SuppressGCTransition]<nint, nint, void>)Export(name);

    private static delegate* unmanaged[SuppressGCTransition]<nint, nint, ulong> Count(string name) =>
        (delegate* unmanaged[SuppressGCTransition]<nint, nint, ulong>)Export(name);

    /// <summary>Sums every value of <paramref name="bitmap"/> through roaring_iterate's per-value callback.</summary>
    public static ulong SumByCallback(nint bitmap)
    {
        ulong sum = 0;
        Iterate(bitmap, &AddValue, &sum);
        return sum;
    }

    [UnmanagedCallersOnly]
    private static byte AddValue(uint value, void* sum)
    {
        *(ulong*)sum += value;
        return 1;
    }
}
