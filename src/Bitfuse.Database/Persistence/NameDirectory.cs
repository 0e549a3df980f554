using System.Buffers.Binary;
using System.Text;

namespace Bitfuse.Persistence;

/// <summary>
/// The body of a directory frame: every name of a checkpoint and where its bitmap frame is. Layout
/// (little-endian): u32 count, then per name in ordinal order: u16 UTF-8 length, the name, i64 frame offset,
/// i64 cardinality. Reading it is what opening a database costs: one pass over the names, none over the values.
/// </summary>
internal static class NameDirectory
{
    /// <summary>The body for <paramref name="names"/> (in ordinal order).</summary>
    public static byte[] Encode(IReadOnlyList<(string Name, long FrameOffset, long Cardinality)> names)
    {
        var size = 4L;
        foreach (var (name, _, _) in names)
        {
            size += 2 + Encoding.UTF8.GetByteCount(name) + 16;
        }
        var body = new byte[size];
        var s = body.AsSpan();
        BinaryPrimitives.WriteUInt32LittleEndian(s, (uint)names.Count);
        var at = 4;
        foreach (var (name, frame, cardinality) in names)
        {
            var n = Encoding.UTF8.GetBytes(name, s[(at + 2)..]);
            BinaryPrimitives.WriteUInt16LittleEndian(s[at..], (ushort)n);
            at += 2 + n;
            BinaryPrimitives.WriteInt64LittleEndian(s[at..], frame);
            BinaryPrimitives.WriteInt64LittleEndian(s[(at + 8)..], cardinality);
            at += 16;
        }
        return body;
    }

    /// <summary>The names of <paramref name="body"/>, which lies at <paramref name="bodyOffset"/> of <paramref name="path"/>.</summary>
    /// <exception cref="DatabaseCorruptException">The body does not decode.</exception>
    public static List<(string Name, long FrameOffset, long Cardinality)> Decode(ReadOnlySpan<byte> body, string path, long bodyOffset)
    {
        if (body.Length < 4)
        {
            throw new DatabaseCorruptException(path, bodyOffset, "the directory is shorter than its count");
        }
        var count = BinaryPrimitives.ReadUInt32LittleEndian(body);
        var names = new List<(string, long, long)>((int)Math.Min(count, (uint)body.Length / 19));
        var at = 4;
        string? previous = null;
        for (var i = 0; i < count; i++)
        {
            if (body.Length - at < 2)
            {
                throw new DatabaseCorruptException(path, bodyOffset + at, $"the directory ends inside entry {i} of {count}");
            }
            int n = BinaryPrimitives.ReadUInt16LittleEndian(body[at..]);
            if (n == 0 || n > LogRecord.MaxNameBytes || body.Length - at - 2 < n + 16)
            {
                throw new DatabaseCorruptException(path, bodyOffset + at, $"entry {i} has a {n}-byte name that does not fit");
            }
            var name = Encoding.UTF8.GetString(body.Slice(at + 2, n));
            if (previous is not null && string.CompareOrdinal(previous, name) >= 0)
            {
                throw new DatabaseCorruptException(path, bodyOffset + at, $"entry {i} ('{name}') is out of order");
            }
            at += 2 + n;
            names.Add((name, BinaryPrimitives.ReadInt64LittleEndian(body[at..]), BinaryPrimitives.ReadInt64LittleEndian(body[(at + 8)..])));
            at += 16;
            previous = name;
        }
        if (at != body.Length)
        {
            throw new DatabaseCorruptException(path, bodyOffset + at, $"{body.Length - at} bytes follow the last entry");
        }
        return names;
    }
}
