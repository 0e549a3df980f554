using System.Buffers.Binary;

namespace Bitfuse.Persistence;

/// <summary>
/// One of the two meta pages at the head of the data file (slot <c>generation % 2</c>, as LMDB keeps two):
/// which checkpoint is current. A checkpoint writes the slot the current meta does not use, so a torn meta
/// write leaves the other slot, and with it the previous checkpoint, intact.
/// Layout (little-endian, 128 bytes at the start of a 4 KiB slot): u64 magic "BFDBMETA", u32 format version,
/// u32 0, u64 generation, u64 checkpoint LSN (every commit up to it is in the data file), u64 log number (the
/// first log file to replay), u64 directory frame offset (0: no names), u64 data end (where the next frame
/// goes), zeros to 120, u64 checksum of bytes [0, 120).
/// </summary>
internal readonly record struct MetaPage(long Generation, long CheckpointLsn, long LogNumber, long DirectoryOffset, long DataEnd)
{
    /// <summary>"BFDBMETA".</summary>
    public const ulong Magic = 0x4154454D42444246;

    /// <summary>
    /// The layout version this code writes and reads. 2: the directory is sorted with an offset table and searched
    /// in place (1 listed the names without one, and was decoded whole at open); version 1 files are refused.
    /// </summary>
    public const uint FormatVersion = 2;

    /// <summary>Bytes of one slot; the first frame starts at <c>2 * SlotBytes</c>.</summary>
    public const int SlotBytes = 4096;

    /// <summary>Bytes of the encoded page.</summary>
    public const int EncodedBytes = 128;

    /// <summary>The byte offset of the slot this meta is written to.</summary>
    public long SlotOffset => (Generation & 1) * SlotBytes;

    /// <summary>The encoded page.</summary>
    public byte[] Encode()
    {
        var page = new byte[EncodedBytes];
        var s = page.AsSpan();
        BinaryPrimitives.WriteUInt64LittleEndian(s, Magic);
        BinaryPrimitives.WriteUInt32LittleEndian(s[8..], FormatVersion);
        BinaryPrimitives.WriteInt64LittleEndian(s[16..], Generation);
        BinaryPrimitives.WriteInt64LittleEndian(s[24..], CheckpointLsn);
        BinaryPrimitives.WriteInt64LittleEndian(s[32..], LogNumber);
        BinaryPrimitives.WriteInt64LittleEndian(s[40..], DirectoryOffset);
        BinaryPrimitives.WriteInt64LittleEndian(s[48..], DataEnd);
        BinaryPrimitives.WriteUInt64LittleEndian(s[120..], Checksum.Of(s[..120]));
        return page;
    }

    /// <summary>
    /// The format version of the meta in <paramref name="page"/> when it is whole (magic and checksum hold) but of
    /// another version than <see cref="FormatVersion"/>; else null.
    /// </summary>
    public static uint? OtherFormatVersion(ReadOnlySpan<byte> page)
    {
        if (page.Length < EncodedBytes
            || BinaryPrimitives.ReadUInt64LittleEndian(page) != Magic
            || BinaryPrimitives.ReadUInt64LittleEndian(page[120..]) != Checksum.Of(page[..120]))
        {
            return null;
        }
        var version = BinaryPrimitives.ReadUInt32LittleEndian(page[8..]);
        return version == FormatVersion ? null : version;
    }

    /// <summary>The meta in <paramref name="page"/>, or null when the slot holds no valid meta (never written, torn or corrupt).</summary>
    public static MetaPage? TryDecode(ReadOnlySpan<byte> page)
    {
        if (page.Length < EncodedBytes
            || BinaryPrimitives.ReadUInt64LittleEndian(page) != Magic
            || BinaryPrimitives.ReadUInt64LittleEndian(page[120..]) != Checksum.Of(page[..120])
            || BinaryPrimitives.ReadUInt32LittleEndian(page[8..]) != FormatVersion)
        {
            return null;
        }
        var meta = new MetaPage(
            BinaryPrimitives.ReadInt64LittleEndian(page[16..]),
            BinaryPrimitives.ReadInt64LittleEndian(page[24..]),
            BinaryPrimitives.ReadInt64LittleEndian(page[32..]),
            BinaryPrimitives.ReadInt64LittleEndian(page[40..]),
            BinaryPrimitives.ReadInt64LittleEndian(page[48..]));
        return meta.Generation >= 1 && meta.CheckpointLsn >= 0 && meta.LogNumber >= 1 && meta.DataEnd >= 2 * SlotBytes
            && meta.DirectoryOffset >= 0 && meta.DirectoryOffset < meta.DataEnd
            ? meta
            : null;
    }
}
