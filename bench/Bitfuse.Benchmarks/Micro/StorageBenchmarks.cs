using BenchmarkDotNet.Attributes;
using Bitfuse.Benchmarks.Suites;

namespace Bitfuse.Benchmarks.Micro;

/// <summary>BenchmarkDotNet view of <c>compare storage</c>'s read cases: random 4 KiB copies and 64-byte point reads on a 256 MiB file.</summary>
public unsafe class StorageBenchmarks
{
    private const int Reads = 256;
    private StorageFixture _fixture = null!;
    private long[] _pageOffsets = null!;
    private long[] _pointOffsets = null!;
    private readonly byte[] _page = new byte[4096];
    private readonly byte[] _point = new byte[64];

    /// <summary>Writes the file and opens every reader.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _fixture = new StorageFixture(256L << 20);
        var random = new Random(3);
        _pageOffsets = new long[Reads];
        _pointOffsets = new long[Reads];
        for (var i = 0; i < Reads; i++)
        {
            _pageOffsets[i] = random.NextInt64(_fixture.Bytes / 4096) * 4096;
            _pointOffsets[i] = random.NextInt64(_fixture.Bytes / 64) * 64;
        }
    }

    /// <summary>Deletes the file.</summary>
    [GlobalCleanup]
    public void Cleanup() => _fixture.Dispose();

    /// <summary>MappedFile.Read of random 4 KiB pages.</summary>
    [Benchmark(OperationsPerInvoke = Reads)]
    public void Random4KiBMapped()
    {
        foreach (var offset in _pageOffsets)
        {
            _fixture.Subject.Read(offset, _page);
        }
    }

    /// <summary>pread of random 4 KiB pages.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = Reads)]
    public void Random4KiBPread()
    {
        foreach (var offset in _pageOffsets)
        {
            RandomAccess.Read(_fixture.Handle, _page, offset);
        }
    }

    /// <summary>A bare mapping pointer copying random 4 KiB pages.</summary>
    [Benchmark(OperationsPerInvoke = Reads)]
    public void Random4KiBRawPointer()
    {
        foreach (var offset in _pageOffsets)
        {
            new ReadOnlySpan<byte>(_fixture.RawPointer + offset, 4096).CopyTo(_page);
        }
    }

    /// <summary>Zero-copy 64-byte reads, one read scope each.</summary>
    [Benchmark(OperationsPerInvoke = Reads)]
    public byte Point64BMapped()
    {
        byte x = 0;
        foreach (var offset in _pointOffsets)
        {
            using var scope = _fixture.Subject.BeginRead();
            var span = scope.GetSpan(offset, 64);
            x ^= (byte)(span[0] ^ span[63]);
        }
        return x;
    }

    /// <summary>pread of 64 bytes.</summary>
    [Benchmark(OperationsPerInvoke = Reads)]
    public byte Point64BPread()
    {
        byte x = 0;
        foreach (var offset in _pointOffsets)
        {
            RandomAccess.Read(_fixture.Handle, _point, offset);
            x ^= (byte)(_point[0] ^ _point[63]);
        }
        return x;
    }
}
