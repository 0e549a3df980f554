using BenchmarkDotNet.Attributes;
using Bitfuse.Benchmarks.Suites;

namespace Bitfuse.Benchmarks.Micro;

/// <summary>BenchmarkDotNet view of the <c>limit</c> suite: streaming read and copy at three sizes.</summary>
[MemoryDiagnoser]
public unsafe class LimitBenchmarks
{
    private NativeBuffer _source = null!;
    private NativeBuffer _destination = null!;

    /// <summary>Buffer size in bytes.</summary>
    [Params(8 << 10, 2 << 20, 64 << 20)]
    public int Bytes { get; set; }

    /// <summary>Allocates the buffers.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _source = new NativeBuffer(Bytes, 1);
        _destination = new NativeBuffer(Bytes, 2);
    }

    /// <summary>Frees the buffers.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _source.Dispose();
        _destination.Dispose();
    }

    /// <summary>Vector XOR-reduce.</summary>
    [Benchmark(Baseline = true)]
    public ulong Read() => MemoryLimits.XorReduce(_source.Pointer, _source.Words);

    /// <summary>Vector copy.</summary>
    [Benchmark]
    public void Copy() => MemoryLimits.Copy(_source.Pointer, _destination.Pointer, _source.Words);

    /// <summary>Buffer.MemoryCopy.</summary>
    [Benchmark]
    public void MemoryCopy() => Buffer.MemoryCopy(_source.Pointer, _destination.Pointer, Bytes, Bytes);
}
