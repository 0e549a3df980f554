namespace Bitfuse.Bitmaps;

/// <summary>How a container stores the low 16 bits of the values that share one key.</summary>
public enum ContainerKind : byte
{
    /// <summary>Sorted distinct <see cref="ushort"/> values, 1 to 4096 of them.</summary>
    Array = 1,

    /// <summary>1024 <see cref="ulong"/> words (8 KiB): bit <c>v % 64</c> of word <c>v / 64</c>; more than 4096 values.</summary>
    Bitset = 2,

    /// <summary>Sorted, disjoint, non-adjacent <c>(start, length - 1)</c> pairs of <see cref="ushort"/>.</summary>
    Run = 3,
}
