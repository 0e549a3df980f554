using System.Buffers.Binary;

namespace Bitfuse.Bitmaps;

// The layout of one bitmap stored for direct reading (a database's data file): the kernels read its
// containers where they lie, so opening a stored bitmap copies nothing. Little-endian; every offset is
// relative to the block start, which the writer places at a multiple of 64 bytes:
//
//    0  u32  magic "BFBK"
//    4  u32  container count n
//    8  u64  cardinality (the sum over containers)
//   16  u32  payload start P (a multiple of 64)
//   20  u32  0
//   24  u64  block length L
//   32  n × 12-byte descriptors: u16 key, u8 kind, u8 0, u16 cardinality - 1, u16 length, u32 payload offset
//    P  payloads: the bitsets first (8 KiB each, so each stays 64-byte aligned), then runs and arrays,
//       each at a multiple of 8 bytes: the same packing as an in-memory PayloadBlock.
//
// Invariants (checked by View before any payload is touched, contents when asked):
//  B1. keys strictly ascend; kinds are array, bitset or run; descriptors lie below P, payloads in [P, L).
//  B2. an array holds length == cardinality <= 4096 values; a bitset has length 0 (1024 words) and an
//      offset that is a multiple of 64; a run holds 1 <= length <= 32768 pairs.
//  B3. the block never holds an empty container, so every view satisfies the Container invariants.

/// <summary>Writes and views the direct-read layout of one bitmap (see the layout above).</summary>
internal static unsafe class BitmapBlock
{
    /// <summary>"BFBK" little-endian.</summary>
    public const uint Magic = 0x4B424642;

    private const int HeaderBytes = 32;
    private const int DescriptorBytes = 12;

    /// <summary>Bytes <see cref="Write"/> needs for <paramref name="bitmap"/>.</summary>
    public static long SizeOf(Bitmap bitmap)
    {
        var (payloadStart, length) = Plan(bitmap.Containers);
        _ = payloadStart;
        return length;
    }

    /// <summary>Writes <paramref name="bitmap"/> into <paramref name="destination"/>, exactly <see cref="SizeOf"/> bytes.</summary>
    public static void Write(Bitmap bitmap, Span<byte> destination)
    {
        var keys = bitmap.Keys;
        var containers = bitmap.Containers;
        var (payloadStart, length) = Plan(containers);
        if (destination.Length != length)
        {
            throw new ArgumentException($"The block takes {length} bytes, not {destination.Length}.", nameof(destination));
        }
        destination.Clear();
        BinaryPrimitives.WriteUInt32LittleEndian(destination, Magic);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[4..], (uint)containers.Length);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[8..], (ulong)bitmap.Count);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[16..], (uint)payloadStart);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[24..], (ulong)length);
        var bitsetAt = payloadStart;
        var packedAt = payloadStart + 8192L * CountBitsets(containers);
        for (var i = 0; i < containers.Length; i++)
        {
            ref readonly var c = ref containers[i];
            long at;
            int bytes;
            if (c.Kind == ContainerKind.Bitset)
            {
                at = bitsetAt;
                bitsetAt += 8192;
                bytes = 8192;
            }
            else
            {
                at = packedAt;
                bytes = c.Kind == ContainerKind.Array ? 2 * c.Length : 4 * c.Length;
                packedAt += (bytes + 7) & ~7;
            }
            var d = destination.Slice(HeaderBytes + i * DescriptorBytes, DescriptorBytes);
            BinaryPrimitives.WriteUInt16LittleEndian(d, keys[i]);
            d[2] = (byte)c.Kind;
            BinaryPrimitives.WriteUInt16LittleEndian(d[4..], (ushort)(c.Cardinality - 1));
            BinaryPrimitives.WriteUInt16LittleEndian(d[6..], c.Kind == ContainerKind.Bitset ? (ushort)0 : (ushort)c.Length);
            BinaryPrimitives.WriteUInt32LittleEndian(d[8..], (uint)at);
            new ReadOnlySpan<byte>(c.Data, bytes).CopyTo(destination.Slice((int)at, bytes));
        }
    }

    /// <summary>
    /// A read-only bitmap whose containers point into the block at <paramref name="block"/> (which the caller keeps
    /// alive and unchanged for the view's lifetime). The structure is always checked (B1–B3); payload contents too
    /// when <paramref name="checkContents"/>. Offsets in errors count from <paramref name="baseOffset"/>.
    /// </summary>
    /// <exception cref="InvalidDataException">The block is malformed.</exception>
    public static Bitmap View(byte* block, long length, long baseOffset, bool checkContents)
    {
        if (length < HeaderBytes)
        {
            throw FormatError.At(baseOffset, $"truncated: a bitmap block needs at least {HeaderBytes} bytes, {length} remain");
        }
        var header = new ReadOnlySpan<byte>(block, HeaderBytes);
        if (BinaryPrimitives.ReadUInt32LittleEndian(header) != Magic)
        {
            throw FormatError.At(baseOffset, "not a bitmap block (bad magic)");
        }
        var n = BinaryPrimitives.ReadUInt32LittleEndian(header[4..]);
        var cardinality = BinaryPrimitives.ReadUInt64LittleEndian(header[8..]);
        long payloadStart = BinaryPrimitives.ReadUInt32LittleEndian(header[16..]);
        var stated = BinaryPrimitives.ReadUInt64LittleEndian(header[24..]);
        if (stated != (ulong)length)
        {
            throw FormatError.At(baseOffset + 24, $"the block says it is {stated} bytes long, but {length} were stored");
        }
        if (n > 65536 || HeaderBytes + (long)n * DescriptorBytes > payloadStart || payloadStart > length || (payloadStart & 63) != 0)
        {
            throw FormatError.At(baseOffset + 4, $"{n} containers with payloads from {payloadStart} do not fit a {length}-byte block");
        }
        var keys = new ushort[n];
        var containers = new Container[n];
        long total = 0;
        for (var i = 0; i < n; i++)
        {
            var at = HeaderBytes + (long)i * DescriptorBytes;
            var d = new ReadOnlySpan<byte>(block + at, DescriptorBytes);
            var key = BinaryPrimitives.ReadUInt16LittleEndian(d);
            var kind = (ContainerKind)d[2];
            var count = BinaryPrimitives.ReadUInt16LittleEndian(d[4..]) + 1;
            int len = BinaryPrimitives.ReadUInt16LittleEndian(d[6..]);
            long offset = BinaryPrimitives.ReadUInt32LittleEndian(d[8..]);
            if (i > 0 && key <= keys[i - 1])
            {
                throw FormatError.At(baseOffset + at, $"container {i} has key {key}, not above the previous key {keys[i - 1]}");
            }
            long bytes;
            switch (kind)
            {
                case ContainerKind.Array when len == count && count <= 4096:
                    bytes = 2L * len;
                    break;
                case ContainerKind.Bitset when len == 0 && (offset & 63) == 0:
                    bytes = 8192;
                    len = 1024;
                    break;
                case ContainerKind.Run when len >= 1 && len <= 32768:
                    bytes = 4L * len;
                    break;
                default:
                    throw FormatError.At(baseOffset + at, $"container {i} has kind {(int)kind}, length {len} and cardinality {count}, which no container can have");
            }
            if (offset < payloadStart || offset > length - bytes || (offset & 1) != 0)
            {
                throw FormatError.At(baseOffset + at + 8, $"container {i}'s payload [{offset}, {offset + bytes}) lies outside the payload area [{payloadStart}, {length})");
            }
            keys[i] = key;
            containers[i] = new Container { Data = block + offset, Kind = kind, Cardinality = count, Length = len };
            total += count;
        }
        if ((ulong)total != cardinality)
        {
            throw FormatError.At(baseOffset + 8, $"the block says it holds {cardinality} values, its containers {total}");
        }
        if (checkContents)
        {
            RoaringFormat.CheckPayloads(block, length, baseOffset, containers);
        }
        return Bitmap.Sharing(keys, containers);
    }

    private static (long PayloadStart, long Length) Plan(ReadOnlySpan<Container> containers)
    {
        long payloadStart = (HeaderBytes + containers.Length * DescriptorBytes + 63) & ~63;
        var length = payloadStart;
        for (var i = 0; i < containers.Length; i++)
        {
            ref readonly var c = ref containers[i];
            length += c.Kind switch
            {
                ContainerKind.Bitset => 8192,
                ContainerKind.Array => (2 * c.Length + 7) & ~7,
                _ => (4 * c.Length + 7) & ~7,
            };
        }
        return (payloadStart, length);
    }

    private static int CountBitsets(ReadOnlySpan<Container> containers)
    {
        var n = 0;
        foreach (ref readonly var c in containers)
        {
            n += c.Kind == ContainerKind.Bitset ? 1 : 0;
        }
        return n;
    }
}
