using System.IO.Hashing;

namespace Bitfuse.Persistence;

/// <summary>The one checksum of every stored record, frame and meta page: 64-bit XxHash3.</summary>
internal static class Checksum
{
    /// <summary>The checksum of <paramref name="data"/>.</summary>
    public static ulong Of(ReadOnlySpan<byte> data) => XxHash3.HashToUInt64(data);

    /// <summary>The checksum of <paramref name="first"/> followed by <paramref name="second"/>.</summary>
    public static ulong Of(ReadOnlySpan<byte> first, ReadOnlySpan<byte> second)
    {
        var hash = new XxHash3();
        hash.Append(first);
        hash.Append(second);
        return hash.GetCurrentHashAsUInt64();
    }
}
