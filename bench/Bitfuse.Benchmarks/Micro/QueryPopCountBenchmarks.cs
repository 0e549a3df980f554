using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using BenchmarkDotNet.Attributes;
using Bitfuse.Benchmarks.Suites;
using Bitfuse.Query.Compilation;

namespace Bitfuse.Benchmarks.Micro;

/// <summary>
/// How the count kernels should count: <c>popcnt</c> per 64-bit lane, Muła's nibble lookup kept in a vector
/// (what the kernels use, <see cref="KernelCounting"/>), and Harley–Seal carry-save adders over 16 vectors
/// (Muła, Kurz, Lemire). Over one 8 KiB container and over 2 MiB.
/// </summary>
public unsafe class QueryPopCountBenchmarks
{
    private NativeBuffer _buffer = null!;

    /// <summary>Buffer size in bytes.</summary>
    [Params(8 << 10, 2 << 20)]
    public int Bytes { get; set; }

    /// <summary>Allocates the buffer.</summary>
    [GlobalSetup]
    public void Setup() => _buffer = new NativeBuffer(Bytes, 5);

    /// <summary>Frees the buffer.</summary>
    [GlobalCleanup]
    public void Cleanup() => _buffer.Dispose();

    /// <summary><c>popcnt</c> per word, four accumulators.</summary>
    [Benchmark(Baseline = true)]
    public long PerLane() => PerLaneCount(_buffer.Pointer, _buffer.Words);

    /// <summary>The nibble lookup per 256-bit vector, counts kept in a vector.</summary>
    [Benchmark]
    public long Lookup() => LookupCount(_buffer.Pointer, _buffer.Words);

    /// <summary>Harley–Seal over 16 vectors, then the lookup once per 16.</summary>
    [Benchmark]
    public long HarleySeal() => HarleySealCount(_buffer.Pointer, _buffer.Words);

    /// <summary><c>popcnt</c> per word.</summary>
    public static long PerLaneCount(ulong* p, nint words)
    {
        ulong c0 = 0, c1 = 0, c2 = 0, c3 = 0;
        for (nint i = 0; i < words; i += 4)
        {
            c0 += (ulong)BitOperations.PopCount(p[i]);
            c1 += (ulong)BitOperations.PopCount(p[i + 1]);
            c2 += (ulong)BitOperations.PopCount(p[i + 2]);
            c3 += (ulong)BitOperations.PopCount(p[i + 3]);
        }
        return (long)(c0 + c1 + c2 + c3);
    }

    /// <summary>The kernels' counting: <see cref="KernelCounting.Add(Vector256{ulong}, Vector256{ulong})"/> per vector.</summary>
    public static long LookupCount(ulong* p, nint words)
    {
        var counts = Vector256<ulong>.Zero;
        for (nint i = 0; i < words; i += 8)
        {
            counts = KernelCounting.Add(counts, Vector256.Load(p + i));
            counts = KernelCounting.Add(counts, Vector256.Load(p + i + 4));
        }
        return KernelCounting.Sum(counts);
    }

    /// <summary>Harley–Seal: carry-save adders fold 16 vectors into ones/twos/fours/eights and one sixteens vector to count.</summary>
    public static long HarleySealCount(ulong* p, nint words)
    {
        Vector256<ulong> total = Vector256<ulong>.Zero, ones = total, twos = total, fours = total, eights = total;
        nint i = 0;
        for (; i + 64 <= words; i += 64)
        {
            Csa(out var twosA, ref ones, Load(p, i, 0), Load(p, i, 1));
            Csa(out var twosB, ref ones, Load(p, i, 2), Load(p, i, 3));
            Csa(out var foursA, ref twos, twosA, twosB);
            Csa(out twosA, ref ones, Load(p, i, 4), Load(p, i, 5));
            Csa(out twosB, ref ones, Load(p, i, 6), Load(p, i, 7));
            Csa(out var foursB, ref twos, twosA, twosB);
            Csa(out var eightsA, ref fours, foursA, foursB);
            Csa(out twosA, ref ones, Load(p, i, 8), Load(p, i, 9));
            Csa(out twosB, ref ones, Load(p, i, 10), Load(p, i, 11));
            Csa(out foursA, ref twos, twosA, twosB);
            Csa(out twosA, ref ones, Load(p, i, 12), Load(p, i, 13));
            Csa(out twosB, ref ones, Load(p, i, 14), Load(p, i, 15));
            Csa(out foursB, ref twos, twosA, twosB);
            Csa(out var eightsB, ref fours, foursA, foursB);
            Csa(out var sixteens, ref eights, eightsA, eightsB);
            total = KernelCounting.Add(total, sixteens);
        }
        var sum = 16 * KernelCounting.Sum(total);
        var parts = Vector256<ulong>.Zero;
        parts = KernelCounting.Add(parts, eights);
        sum += 8 * KernelCounting.Sum(parts);
        parts = KernelCounting.Add(Vector256<ulong>.Zero, fours);
        sum += 4 * KernelCounting.Sum(parts);
        parts = KernelCounting.Add(Vector256<ulong>.Zero, twos);
        sum += 2 * KernelCounting.Sum(parts);
        parts = KernelCounting.Add(Vector256<ulong>.Zero, ones);
        sum += KernelCounting.Sum(parts);
        for (; i < words; i++)
        {
            sum += BitOperations.PopCount(p[i]);
        }
        return sum;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<ulong> Load(ulong* p, nint i, int vector) => Vector256.Load(p + i + (vector * 4));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Csa(out Vector256<ulong> high, ref Vector256<ulong> low, Vector256<ulong> b, Vector256<ulong> c)
    {
        var u = low ^ b;
        high = (low & b) | (u & c);
        low = u ^ c;
    }
}
