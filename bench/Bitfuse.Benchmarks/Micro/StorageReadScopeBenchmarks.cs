using BenchmarkDotNet.Attributes;
using Bitfuse.Memory;
using Bitfuse.Storage;

namespace Bitfuse.Benchmarks.Micro;

/// <summary>
/// The CPU cost of each piece of a scoped 64-byte read, on a 1 MiB file that stays in L2 (so no cache
/// or TLB miss hides or inflates it): a bare pointer, a bare Lazy-mode SMR section around it, a read
/// scope per read (span and pointer forms), and a copying <see cref="MappedFile.Read"/>.
/// </summary>
public unsafe class StorageReadScopeBenchmarks
{
    private const int Reads = 256;
    private const long FileBytes = 1 << 20;
    private string _path = null!;
    private MappedFile _file = null!;
    private Smr _smr = null!;
    private byte* _base;
    private long[] _offsets = null!;
    private readonly byte[] _buffer = new byte[64];

    /// <summary>Writes the file and picks the offsets.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _path = Path.Combine(Path.GetTempPath(), $"bitfuse-scope-bench-{Environment.ProcessId}.dat");
        _file = MappedFile.Create(_path);
        var data = new byte[FileBytes];
        new Random(5).NextBytes(data);
        _file.Append(data);
        _base = (byte*)_file.CurrentMapping!.Address;
        _smr = new Smr(new SmrOptions { Mode = SmrMode.Lazy });
        var random = new Random(6);
        _offsets = new long[Reads];
        for (var i = 0; i < Reads; i++)
        {
            _offsets[i] = random.NextInt64(FileBytes / 64) * 64;
        }
    }

    /// <summary>Closes and deletes the file.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _file.Dispose();
        _smr.Dispose();
        File.Delete(_path);
    }

    /// <summary>A bare pointer into the same mapping: the floor.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = Reads)]
    public ulong RawPointer()
    {
        ulong x = 0;
        foreach (var offset in _offsets)
        {
            x ^= Fold(_base + offset);
        }
        return x;
    }

    /// <summary>A bare Lazy-mode SMR section per read around the bare pointer.</summary>
    [Benchmark(OperationsPerInvoke = Reads)]
    public ulong SmrSection()
    {
        ulong x = 0;
        foreach (var offset in _offsets)
        {
            using (_smr.Enter())
            {
                x ^= Fold(_base + offset);
            }
        }
        return x;
    }

    /// <summary>A read scope per read, zero-copy span.</summary>
    [Benchmark(OperationsPerInvoke = Reads)]
    public ulong ScopeSpan()
    {
        ulong x = 0;
        foreach (var offset in _offsets)
        {
            using var scope = _file.BeginRead();
            fixed (byte* p = scope.GetSpan(offset, 64))
            {
                x ^= Fold(p);
            }
        }
        return x;
    }

    /// <summary>A read scope per read, pointer form.</summary>
    [Benchmark(OperationsPerInvoke = Reads)]
    public ulong ScopePointer()
    {
        ulong x = 0;
        foreach (var offset in _offsets)
        {
            using var scope = _file.BeginRead();
            x ^= Fold(scope.GetPointer(offset, 64));
        }
        return x;
    }

    /// <summary>One scope for all reads: the per-span cost alone.</summary>
    [Benchmark(OperationsPerInvoke = Reads)]
    public ulong OneScopeManyPointers()
    {
        ulong x = 0;
        using var scope = _file.BeginRead();
        foreach (var offset in _offsets)
        {
            x ^= Fold(scope.GetPointer(offset, 64));
        }
        return x;
    }

    /// <summary>A 64-byte copy through <see cref="MappedFile.Read"/>.</summary>
    [Benchmark(OperationsPerInvoke = Reads)]
    public ulong ReadCopy()
    {
        ulong x = 0;
        var buffer = _buffer;
        foreach (var offset in _offsets)
        {
            _file.Read(offset, buffer);
            fixed (byte* p = buffer)
            {
                x ^= Fold(p);
            }
        }
        return x;
    }

    private static ulong Fold(byte* p)
    {
        ulong x = 0;
        for (var i = 0; i < 64; i += 8)
        {
            x ^= *(ulong*)(p + i);
        }
        return x;
    }
}
