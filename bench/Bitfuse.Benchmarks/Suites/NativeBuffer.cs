using System.Runtime.InteropServices;

namespace Bitfuse.Benchmarks.Suites;

/// <summary>A 64-byte aligned native buffer of 64-bit words for benchmark inputs, filled with pseudo-random bits.</summary>
public sealed unsafe class NativeBuffer : IDisposable
{
    /// <summary>Allocates <paramref name="bytes"/> bytes (a multiple of 8), aligned to 64 bytes, filled from <paramref name="seed"/>.</summary>
    public NativeBuffer(long bytes, int seed = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bytes, 8);
        Bytes = bytes;
        Pointer = (ulong*)NativeMemory.AlignedAlloc((nuint)bytes, 64);
        new Random(seed).NextBytes(new Span<byte>(Pointer, checked((int)Math.Min(bytes, int.MaxValue))));
    }

    /// <summary>The first word.</summary>
    public ulong* Pointer { get; private set; }

    /// <summary>Size in bytes.</summary>
    public long Bytes { get; }

    /// <summary>Size in 64-bit words.</summary>
    public nint Words => (nint)(Bytes / 8);

    /// <summary>The words as a span.</summary>
    public Span<ulong> Span => new(Pointer, checked((int)Words));

    /// <inheritdoc />
    public void Dispose()
    {
        if (Pointer != null)
        {
            NativeMemory.AlignedFree(Pointer);
            Pointer = null;
        }
    }
}
