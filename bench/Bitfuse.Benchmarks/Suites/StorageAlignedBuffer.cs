namespace Bitfuse.Benchmarks.Suites;

/// <summary>
/// A pinned byte array with a 64-byte-aligned window of <c>Length</c> bytes, so every side of a copy
/// benchmark copies into a destination of the same alignment (memcpy's speed depends on it, and two
/// plain arrays land at different offsets within a cache line).
/// </summary>
internal sealed unsafe class AlignedBuffer
{
    public AlignedBuffer(int length)
    {
        Array = GC.AllocateArray<byte>(length + 64, pinned: true);
        fixed (byte* p = Array)
        {
            Start = (int)((64 - ((nuint)p & 63)) & 63);
        }
        Length = length;
    }

    /// <summary>The pinned array.</summary>
    public byte[] Array { get; }

    /// <summary>The index of the aligned window's first byte.</summary>
    public int Start { get; }

    /// <summary>The window's length.</summary>
    public int Length { get; }

    /// <summary>The aligned window.</summary>
    public Span<byte> Span => Array.AsSpan(Start, Length);
}
