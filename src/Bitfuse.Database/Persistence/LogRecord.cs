using System.Buffers.Binary;
using System.Text;

namespace Bitfuse.Persistence;

// One committed transaction in the write-ahead log; a record is the unit of atomicity.
//
//   0  u32  body length B             4  u32  magic "BFLR"
//   8  i64  LSN (1, 2, 3, ... with no gaps across log files)
//  16  u64  checksum of bytes [8, 16) and the body
//  24  body: u32 op count, then per op: u8 kind, u16 name length, UTF-8 name, and for add, remove and set
//      u32 operand length and the operand in the Roaring portable format.
//
// Invariants: a record is valid only when its header fits the file, its magic and checksum match and its
// LSN is the next one expected; the body of a valid record decodes completely (a body that does not is
// corruption, never a torn tail, because its checksum matched).

/// <summary>Encodes and decodes log records (see the layout above).</summary>
internal static class LogRecord
{
    /// <summary>"BFLR".</summary>
    public const uint Magic = 0x524C4642;

    /// <summary>Bytes before the body.</summary>
    public const int HeaderBytes = 24;

    /// <summary>The largest body accepted (a bigger length field is corruption, not a record).</summary>
    public const int MaxBodyBytes = 1 << 30;

    /// <summary>The longest name, in UTF-8 bytes.</summary>
    public const int MaxNameBytes = 1024;

    /// <summary>The whole record for <paramref name="ops"/> at <paramref name="lsn"/>.</summary>
    public static byte[] Encode(long lsn, IReadOnlyList<WriteOp> ops)
    {
        long size = HeaderBytes + 4;
        foreach (var op in ops)
        {
            size += 3 + Encoding.UTF8.GetByteCount(op.Name) + (op.Operand is null ? 0 : 4 + op.Operand.SerializedSize());
        }
        if (size - HeaderBytes > MaxBodyBytes)
        {
            throw new InvalidOperationException($"A transaction of {size} bytes exceeds the largest log record ({MaxBodyBytes} bytes); commit it in parts.");
        }
        var record = new byte[size];
        var s = record.AsSpan();
        BinaryPrimitives.WriteUInt32LittleEndian(s, (uint)(size - HeaderBytes));
        BinaryPrimitives.WriteUInt32LittleEndian(s[4..], Magic);
        BinaryPrimitives.WriteInt64LittleEndian(s[8..], lsn);
        var at = HeaderBytes;
        BinaryPrimitives.WriteUInt32LittleEndian(s[at..], (uint)ops.Count);
        at += 4;
        foreach (var op in ops)
        {
            s[at] = (byte)op.Kind;
            var nameBytes = Encoding.UTF8.GetBytes(op.Name, s[(at + 3)..]);
            BinaryPrimitives.WriteUInt16LittleEndian(s[(at + 1)..], (ushort)nameBytes);
            at += 3 + nameBytes;
            if (op.Operand is not null)
            {
                var written = op.Operand.Serialize(s[(at + 4)..]);
                BinaryPrimitives.WriteUInt32LittleEndian(s[at..], (uint)written);
                at += 4 + written;
            }
        }
        BinaryPrimitives.WriteUInt64LittleEndian(s[16..], Checksum.Of(s[8..16], s[HeaderBytes..]));
        return record;
    }

    /// <summary>
    /// Checks the record at <paramref name="at"/> in <paramref name="log"/>: its length when it is whole, fits and
    /// matches its checksum and <paramref name="expectedLsn"/>, otherwise 0.
    /// </summary>
    public static int TryFrame(ReadOnlySpan<byte> log, int at, long expectedLsn)
    {
        if (log.Length - at < HeaderBytes)
        {
            return 0;
        }
        var header = log.Slice(at, HeaderBytes);
        var body = BinaryPrimitives.ReadUInt32LittleEndian(header);
        if (body > MaxBodyBytes || body > (uint)(log.Length - at - HeaderBytes)
            || BinaryPrimitives.ReadUInt32LittleEndian(header[4..]) != Magic
            || BinaryPrimitives.ReadInt64LittleEndian(header[8..]) != expectedLsn)
        {
            return 0;
        }
        var stored = BinaryPrimitives.ReadUInt64LittleEndian(header[16..]);
        return stored == Checksum.Of(header[8..16], log.Slice(at + HeaderBytes, (int)body)) ? HeaderBytes + (int)body : 0;
    }

    /// <summary>The LSN field of the record at <paramref name="at"/> (whatever it holds).</summary>
    public static long LsnAt(ReadOnlySpan<byte> log, int at) =>
        log.Length - at >= HeaderBytes ? BinaryPrimitives.ReadInt64LittleEndian(log[(at + 8)..]) : -1;

    /// <summary>
    /// The operations of a valid record's <paramref name="body"/>; the caller disposes their operands.
    /// <paramref name="bodyOffset"/> locates the body in its file for errors.
    /// </summary>
    /// <exception cref="InvalidDataException">The body does not decode (message says where).</exception>
    public static List<WriteOp> Decode(ReadOnlySpan<byte> body, long bodyOffset)
    {
        var ops = new List<WriteOp>();
        try
        {
            if (body.Length < 4)
            {
                throw Bad(bodyOffset, "the body is shorter than its op count");
            }
            var count = BinaryPrimitives.ReadUInt32LittleEndian(body);
            var at = 4;
            for (var i = 0; i < count; i++)
            {
                if (body.Length - at < 3)
                {
                    throw Bad(bodyOffset + at, $"op {i} is cut short");
                }
                var kind = (WriteOpKind)body[at];
                int nameBytes = BinaryPrimitives.ReadUInt16LittleEndian(body[(at + 1)..]);
                if (kind is < WriteOpKind.Add or > WriteOpKind.Delete || nameBytes == 0 || nameBytes > MaxNameBytes || body.Length - at - 3 < nameBytes)
                {
                    throw Bad(bodyOffset + at, $"op {i} has kind {(int)kind} and a {nameBytes}-byte name, which no op has");
                }
                var name = Encoding.UTF8.GetString(body.Slice(at + 3, nameBytes));
                at += 3 + nameBytes;
                Bitmap? operand = null;
                if (kind != WriteOpKind.Delete)
                {
                    if (body.Length - at < 4)
                    {
                        throw Bad(bodyOffset + at, $"op {i} is cut short before its operand");
                    }
                    var length = BinaryPrimitives.ReadUInt32LittleEndian(body[at..]);
                    if (length > (uint)(body.Length - at - 4))
                    {
                        throw Bad(bodyOffset + at, $"op {i}'s operand of {length} bytes reaches past the record");
                    }
                    operand = Bitmap.Deserialize(body.Slice(at + 4, (int)length));
                    at += 4 + (int)length;
                }
                ops.Add(new WriteOp(kind, name, operand));
            }
            if (at != body.Length)
            {
                throw Bad(bodyOffset + at, $"{body.Length - at} bytes follow the last op");
            }
            return ops;
        }
        catch
        {
            foreach (var op in ops)
            {
                op.Operand?.Dispose();
            }
            throw;
        }
    }

    private static InvalidDataException Bad(long offset, string problem)
    {
        var e = new InvalidDataException(problem);
        e.Data["Offset"] = offset;
        return e;
    }
}
