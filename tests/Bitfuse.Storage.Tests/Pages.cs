using System.Buffers.Binary;

namespace Bitfuse.Storage.Tests;

/// <summary>
/// Self-identifying 4 KiB pages: the first 8 bytes hold the page's own file offset, the last 8 a
/// checksum of everything before them, and the middle bytes are derived from the offset. A reader
/// that gets bytes from the wrong place, a torn page or zeros finds a mismatch.
/// </summary>
internal static class Pages
{
    public const int Size = 4096;

    public static void Fill(Span<byte> page, long offset)
    {
        BinaryPrimitives.WriteInt64LittleEndian(page, offset);
        var state = (ulong)offset * 0x9E3779B97F4A7C15UL + 1;
        for (var i = 8; i < Size - 8; i += 8)
        {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            BinaryPrimitives.WriteUInt64LittleEndian(page[i..], state);
        }
        BinaryPrimitives.WriteUInt64LittleEndian(page[(Size - 8)..], Checksum(page[..(Size - 8)]));
    }

    public static byte[] Make(long offset)
    {
        var page = new byte[Size];
        Fill(page, offset);
        return page;
    }

    /// <summary>True when <paramref name="page"/> is the intact page written at <paramref name="offset"/>.</summary>
    public static bool Verify(ReadOnlySpan<byte> page, long offset) =>
        page.Length == Size
        && BinaryPrimitives.ReadInt64LittleEndian(page) == offset
        && BinaryPrimitives.ReadUInt64LittleEndian(page[(Size - 8)..]) == Checksum(page[..(Size - 8)]);

    private static ulong Checksum(ReadOnlySpan<byte> bytes)
    {
        var h = 0xCBF29CE484222325UL;
        for (var i = 0; i + 8 <= bytes.Length; i += 8)
        {
            h = (h ^ BinaryPrimitives.ReadUInt64LittleEndian(bytes[i..])) * 0x100000001B3UL;
            h ^= h >> 29;
        }
        return h;
    }
}
