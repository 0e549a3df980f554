namespace Bitfuse;

/// <summary>What a <see cref="Bitmap"/> holds: containers by kind, values per kind and bytes used.</summary>
public sealed record BitmapStatistics
{
    /// <summary>Number of values.</summary>
    public long Count { get; init; }

    /// <summary>Array containers (at most 4096 sorted 16-bit values each).</summary>
    public int ArrayContainers { get; init; }

    /// <summary>Bitset containers (8 KiB each).</summary>
    public int BitsetContainers { get; init; }

    /// <summary>Run containers.</summary>
    public int RunContainers { get; init; }

    /// <summary>Values held in array containers.</summary>
    public long ArrayValues { get; init; }

    /// <summary>Values held in bitset containers.</summary>
    public long BitsetValues { get; init; }

    /// <summary>Values held in run containers.</summary>
    public long RunValues { get; init; }

    /// <summary>Bytes of owned container payloads as allocated (borrowed payloads count 0).</summary>
    public long PayloadBytes { get; init; }

    /// <summary>Bytes of the key and descriptor arrays.</summary>
    public long StructureBytes { get; init; }

    /// <summary>Bytes of the Roaring portable serialization.</summary>
    public long SerializedBytes { get; init; }

    /// <summary>All containers.</summary>
    public int Containers => ArrayContainers + BitsetContainers + RunContainers;

    /// <summary>Payload plus structure bytes: what the bitmap occupies in memory.</summary>
    public long InMemoryBytes => PayloadBytes + StructureBytes;
}
