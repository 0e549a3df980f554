using System.Runtime.InteropServices;
using BenchmarkDotNet.Attributes;
using Bitfuse.Memory;

namespace Bitfuse.Benchmarks.Micro;

/// <summary>BenchmarkDotNet view of the memory suite's same-thread cases: one alloc+free pair per call.</summary>
[MemoryDiagnoser]
public unsafe class MemoryBenchmarks
{
    private Zone _plain = null!;
    private Zone _shared = null!;
    private Smr _smr = null!;

    /// <summary>Item size in bytes.</summary>
    [Params(64, 8192)]
    public int Size { get; set; }

    /// <summary>Creates the zones.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _smr = new Smr();
        _plain = new Zone(new ZoneOptions { Name = "bdn-plain", ItemSize = Size, Alignment = 64, DebugChecks = false });
        _shared = new Zone(new ZoneOptions { Name = "bdn-smr", ItemSize = Size, Alignment = 64, Smr = _smr, DebugChecks = false });
    }

    /// <summary>Releases the zones.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _plain.Dispose();
        _shared.Dispose();
        _smr.Dispose();
    }

    /// <summary>Plain zone alloc + free.</summary>
    [Benchmark(Baseline = true)]
    public void PlainZone() => _plain.Free(_plain.Alloc());

    /// <summary>SMR zone alloc + free (a bucket is stamped and reused every bucketful).</summary>
    [Benchmark]
    public void SmrZone() => _shared.Free(_shared.Alloc());

    /// <summary>NativeMemory.AlignedAlloc + AlignedFree.</summary>
    [Benchmark]
    public void NativeMemoryAligned() => NativeMemory.AlignedFree(NativeMemory.AlignedAlloc((nuint)Size, 64));
}
