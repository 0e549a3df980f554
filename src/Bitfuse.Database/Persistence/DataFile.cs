using System.Buffers;
using System.Buffers.Binary;
using Bitfuse.Bitmaps;
using Bitfuse.Storage;

namespace Bitfuse.Persistence;

// The data file: two meta pages, then frames appended by checkpoints, read through a Reserve mapping whose
// base never moves (a fixed reservation), so a bitmap view may point into it for as long as the file is open.
//
//   [0, 4096)       meta slot 0        [4096, 8192)   meta slot 1
//   8192 ...        frames, each at a multiple of 64 bytes:
//                   u32 magic "BFFR", u32 kind, u64 body length, u64 body checksum, u64 header checksum
//                   (of bytes [0, 24)), zeros to 64, then the body (a bitmap block or a directory).
//
// Invariants:
//  D1. Frames are only appended, at or after the current meta's data end; a frame a meta points to (or an
//      entry of a published version points to) is never overwritten while the file is open. Bytes past the
//      current meta's data end are garbage from a checkpoint that did not finish until a new meta covers them.
//  D2. A checkpoint writes its frames, syncs, then writes the meta to the slot the current meta does not use,
//      and syncs again: the meta never points at bytes that were not durable before it.
//  D3. The file is never truncated while open (no reader can fault on a page past the end).
//  D4. Every frame header and body carries a checksum; a body is checked before a view is made of it.

/// <summary>The mapped data file of a database (see the layout above).</summary>
internal sealed unsafe class DataFile : IDisposable
{
    /// <summary>"BFFR".</summary>
    public const uint FrameMagic = 0x52464642;

    /// <summary>Bytes of a frame header; bodies start 64-byte aligned.</summary>
    public const int FrameHeaderBytes = 64;

    /// <summary>The address space the mapping reserves: far beyond any data file, and free until touched.</summary>
    public const long ReservationBytes = 1L << 40;

    private readonly MappedFile _file;
    private long _end;

    private DataFile(MappedFile file, MetaPage meta)
    {
        _file = file;
        Meta = meta;
        _end = meta.DataEnd;
    }

    /// <summary>The file's path.</summary>
    public string FilePath => _file.FilePath;

    /// <summary>The current checkpoint.</summary>
    public MetaPage Meta { get; private set; }

    /// <summary>Bytes the file holds (including garbage past the meta's data end).</summary>
    public long Length => _file.Length;

    /// <summary>Writes a new, empty data file at <paramref name="path"/> through a temporary name and a rename (D2).</summary>
    public static void CreateEmpty(string path, DatabaseIO io)
    {
        var temporary = path + ".new";
        var head = new byte[2 * MetaPage.SlotBytes];
        // Generation 1 goes to its own slot (1), so the first checkpoint (generation 2, slot 0) never writes over it.
        var first = new MetaPage(Generation: 1, CheckpointLsn: 0, LogNumber: 1, DirectoryOffset: 0, DataEnd: head.Length);
        first.Encode().CopyTo(head, (int)first.SlotOffset);
        using (var handle = io.Open(temporary, create: true))
        {
            var fd = (int)handle.DangerousGetHandle();
            io.WriteFully(fd, head, 0, temporary);
            var error = io.Files.Sync(fd);
            if (error != 0)
            {
                throw Storage.Native.Errors.Failure(temporary, "fdatasync", error);
            }
        }
        io.Rename(temporary, path);
        io.SyncDirectory(System.IO.Path.GetDirectoryName(path)!);
    }

    /// <summary>Maps the data file at <paramref name="path"/> and reads its current meta.</summary>
    /// <exception cref="DatabaseCorruptException">Neither meta slot holds a valid meta.</exception>
    public static DataFile Open(string path, DatabaseIO io)
    {
        var file = MappedFile.Open(path, new MappedFileOptions
        {
            Strategy = GrowthStrategy.Reserve,
            ReservationBytes = ReservationBytes,
            FixedReservation = true,
            IO = io.Files,
        });
        try
        {
            if (file.Length < 2 * MetaPage.SlotBytes)
            {
                throw new DatabaseCorruptException(path, file.Length, $"the file holds {file.Length} bytes, fewer than its two meta pages");
            }
            var slotA = new ReadOnlySpan<byte>(file.PinnedPointer(0, MetaPage.EncodedBytes), MetaPage.EncodedBytes);
            var slotB = new ReadOnlySpan<byte>(file.PinnedPointer(MetaPage.SlotBytes, MetaPage.EncodedBytes), MetaPage.EncodedBytes);
            var a = MetaPage.TryDecode(slotA);
            var b = MetaPage.TryDecode(slotB);
            MetaPage meta;
            if (a is null && b is null)
            {
                if ((MetaPage.OtherFormatVersion(slotA) ?? MetaPage.OtherFormatVersion(slotB)) is { } version)
                {
                    throw new NotSupportedException($"'{path}' is in database format {version}; this build reads format {MetaPage.FormatVersion}. " +
                        "Export it (bitfuse db export) with the build that wrote it, and import the export into a new database.");
                }
                throw new DatabaseCorruptException(path, 0, "neither meta page is valid");
            }
            else if (a is null || (b is not null && b.Value.Generation > a.Value.Generation))
            {
                meta = b!.Value;
            }
            else
            {
                meta = a.Value;
            }
            if (meta.DataEnd > file.Length)
            {
                throw new DatabaseCorruptException(path, meta.SlotOffset + 48, $"the meta says the data ends at {meta.DataEnd}, past the file's {file.Length} bytes");
            }
            return new DataFile(file, meta);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>Appends a frame holding <paramref name="body"/>; returns the frame's offset (not yet durable).</summary>
    public long AppendFrame(FrameKind kind, ReadOnlySpan<byte> body)
    {
        var at = _end;
        Span<byte> header = stackalloc byte[FrameHeaderBytes];
        header.Clear();
        BinaryPrimitives.WriteUInt32LittleEndian(header, FrameMagic);
        BinaryPrimitives.WriteUInt32LittleEndian(header[4..], (uint)kind);
        BinaryPrimitives.WriteInt64LittleEndian(header[8..], body.Length);
        BinaryPrimitives.WriteUInt64LittleEndian(header[16..], Checksum.Of(body));
        BinaryPrimitives.WriteUInt64LittleEndian(header[24..], Checksum.Of(header[..24]));
        _file.Write(at, header);
        _file.Write(at + FrameHeaderBytes, body);
        var end = at + FrameHeaderBytes + body.Length;
        var padded = (end + 63) & ~63L;
        if (padded > end)
        {
            Span<byte> zeros = stackalloc byte[64];
            zeros.Clear();
            _file.Write(end, zeros[..(int)(padded - end)]);
        }
        _end = padded;
        return at;
    }

    /// <summary>Appends <paramref name="bitmap"/> as a bitmap frame; returns the frame's offset.</summary>
    public long AppendBitmap(Bitmap bitmap)
    {
        var size = BitmapBlock.SizeOf(bitmap);
        var buffer = ArrayPool<byte>.Shared.Rent(checked((int)size));
        try
        {
            var body = buffer.AsSpan(0, (int)size);
            BitmapBlock.Write(bitmap, body);
            return AppendFrame(FrameKind.Bitmap, body);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// The body of the frame at <paramref name="frameOffset"/>, after checking its header (and its body's
    /// checksum when <paramref name="checkBody"/>); the pointer stays valid while the file is open.
    /// </summary>
    /// <exception cref="DatabaseCorruptException">The frame is not where it should be, or a checksum fails.</exception>
    public byte* Body(long frameOffset, FrameKind kind, bool checkBody, out long bodyLength)
    {
        var length = _file.Length;
        if (frameOffset < 2 * MetaPage.SlotBytes || (frameOffset & 63) != 0 || frameOffset > length - FrameHeaderBytes)
        {
            throw new DatabaseCorruptException(FilePath, frameOffset, $"no frame can start here (the file holds {length} bytes)");
        }
        var header = new ReadOnlySpan<byte>(_file.PinnedPointer(frameOffset, FrameHeaderBytes), FrameHeaderBytes);
        if (BinaryPrimitives.ReadUInt32LittleEndian(header) != FrameMagic
            || BinaryPrimitives.ReadUInt64LittleEndian(header[24..]) != Checksum.Of(header[..24]))
        {
            throw new DatabaseCorruptException(FilePath, frameOffset, "the frame header fails its checksum");
        }
        var stored = (FrameKind)BinaryPrimitives.ReadUInt32LittleEndian(header[4..]);
        if (stored != kind)
        {
            throw new DatabaseCorruptException(FilePath, frameOffset + 4, $"a {kind} frame was expected, the header says {stored}");
        }
        bodyLength = BinaryPrimitives.ReadInt64LittleEndian(header[8..]);
        var bodyAt = frameOffset + FrameHeaderBytes;
        if (bodyLength < 0 || bodyLength > length - bodyAt)
        {
            throw new DatabaseCorruptException(FilePath, frameOffset + 8, $"the body of {bodyLength} bytes reaches past the end of the file");
        }
        var body = _file.PinnedPointer(bodyAt, bodyLength);
        if (checkBody && Checksum.Of(new ReadOnlySpan<byte>(body, checked((int)bodyLength))) != BinaryPrimitives.ReadUInt64LittleEndian(header[16..]))
        {
            throw new DatabaseCorruptException(FilePath, bodyAt, "the frame body fails its checksum");
        }
        return body;
    }

    /// <summary>A read-only view of the bitmap frame at <paramref name="frameOffset"/>, checked (D4).</summary>
    public Bitmap ViewBitmap(long frameOffset, bool checkContents)
    {
        var body = Body(frameOffset, FrameKind.Bitmap, checkBody: true, out var length);
        try
        {
            return BitmapBlock.View(body, length, frameOffset + FrameHeaderBytes, checkContents);
        }
        catch (InvalidDataException e)
        {
            var offset = e.Data[FormatError.OffsetKey] is long at ? at : frameOffset;
            throw new DatabaseCorruptException(FilePath, offset, e.Message, e);
        }
    }

    /// <summary>Makes every appended frame durable.</summary>
    public void Sync() => _file.Flush();

    /// <summary>Writes <paramref name="meta"/> into its slot and syncs it (D2); it becomes the current meta.</summary>
    public void PublishMeta(MetaPage meta)
    {
        _file.Write(meta.SlotOffset, meta.Encode());
        _file.Flush();
        Meta = meta;
    }

    /// <summary>Where the next frame goes.</summary>
    public long End => _end;

    public void Dispose() => _file.Dispose();
}
