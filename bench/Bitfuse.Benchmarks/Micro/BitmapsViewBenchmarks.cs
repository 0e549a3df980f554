using System.Runtime.InteropServices;
using BenchmarkDotNet.Attributes;
using Bitfuse.Bitmaps;

namespace Bitfuse.Benchmarks.Micro;

/// <summary>
/// Bitsets read from a view over the portable format are unaligned. This measures the two ways to run a
/// bitset kernel on them: unaligned vector loads straight from the buffer, or a copy into an aligned
/// scratch bitset first, against aligned owned bitsets as the reference.
/// </summary>
[MemoryDiagnoser]
public unsafe class BitmapsViewBenchmarks
{
    private byte* _buffer;
    private ulong* _unalignedA;
    private ulong* _unalignedB;
    private ulong* _alignedA;
    private ulong* _alignedB;
    private ulong* _scratch;

    /// <summary>Byte offset of the bitsets inside the serialized buffer (0 = aligned, odd = the worst case).</summary>
    [Params(0, 3)]
    public int Offset { get; set; }

    /// <summary>Fills two random bitsets, aligned and at <see cref="Offset"/>.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _buffer = (byte*)NativeMemory.AlignedAlloc(2 * 8192 + 64, 64);
        _unalignedA = (ulong*)(_buffer + Offset);
        _unalignedB = (ulong*)(_buffer + Offset + 8192);
        _alignedA = (ulong*)NativeMemory.AlignedAlloc(8192, 64);
        _alignedB = (ulong*)NativeMemory.AlignedAlloc(8192, 64);
        _scratch = (ulong*)NativeMemory.AlignedAlloc(8192, 64);
        var rng = new Random(42);
        for (var i = 0; i < BitsetContainer.Words; i++)
        {
            _alignedA[i] = (ulong)rng.NextInt64();
            _alignedB[i] = (ulong)rng.NextInt64();
        }
        Buffer.MemoryCopy(_alignedA, _unalignedA, 8192, 8192);
        Buffer.MemoryCopy(_alignedB, _unalignedB, 8192, 8192);
    }

    /// <summary>Frees the buffers.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        NativeMemory.AlignedFree(_buffer);
        NativeMemory.AlignedFree(_alignedA);
        NativeMemory.AlignedFree(_alignedB);
        NativeMemory.AlignedFree(_scratch);
    }

    /// <summary>Owned, aligned bitsets: the reference.</summary>
    [Benchmark(Baseline = true)]
    public int Aligned() => BitsetContainer.AndCount(_alignedA, _alignedB);

    /// <summary>View bitsets read in place with unaligned loads (what <see cref="Bitmap.CreateView(ReadOnlyMemory{byte})"/> does).</summary>
    [Benchmark]
    public int UnalignedInPlace() => BitsetContainer.AndCount(_unalignedA, _unalignedB);

    /// <summary>Copy one view bitset to an aligned scratch buffer first.</summary>
    [Benchmark]
    public int CopyToAlignedScratch()
    {
        Buffer.MemoryCopy(_unalignedA, _scratch, 8192, 8192);
        return BitsetContainer.AndCount(_scratch, _unalignedB);
    }
}
