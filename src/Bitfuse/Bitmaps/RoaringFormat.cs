using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Bitfuse.Bitmaps;

/// <summary>
/// The Roaring portable serialization format (RoaringFormatSpec), as written by CRoaring, Java and Go.
/// Layout, all little-endian:
///   cookie: u32 12346 then u32 container count n (no run containers; the only form for n = 0),
///           or u32 with low half 12347 and high half n - 1, then a run-flag bitset of (n + 7) / 8 bytes;
///   descriptive header: n × (u16 key, u16 cardinality - 1), keys strictly ascending;
///   offset header: n × u32 absolute payload offsets, present for cookie 12346 and for 12347 when n &gt;= 4;
///   payloads in order: array = card × u16; bitset = 8192 bytes; run = u16 run count, then (u16 start, u16 length - 1) pairs.
/// Invariants of the reader: every count, cardinality, key, offset, run bound and length is checked against
/// the buffer before it is used; nothing is allocated in proportion to a header field until the bytes that
/// field describes are known to be present; a rejected input raises <see cref="InvalidDataException"/>
/// naming the offending byte offset and frees whatever it had built. Accepted input satisfies every
/// <see cref="Container"/> invariant (sorted distinct arrays, bitsets of &gt; 4096 bits whose count matches the
/// header, disjoint non-adjacent runs whose lengths add up to the header's cardinality). Offsets must equal
/// the payload positions. Payloads are unaligned; a borrowing reader points containers straight at them.
/// The host is little-endian (x64), so payloads are copied as they are.
/// </summary>
internal static unsafe class RoaringFormat
{
    /// <summary>Cookie of the form without run containers (followed by a u32 count).</summary>
    public const uint CookieNoRuns = 12346;

    /// <summary>Low half of the cookie of the form with run containers.</summary>
    public const ushort CookieWithRuns = 12347;

    /// <summary>From this many containers on, the run form also carries the offset header.</summary>
    public const int NoOffsetThreshold = 4;

    /// <summary>Bytes the portable form of these containers takes.</summary>
    public static long SerializedSize(ReadOnlySpan<ushort> keys, ReadOnlySpan<Container> containers)
    {
        var n = containers.Length;
        var hasRuns = false;
        long payload = 0;
        for (var i = 0; i < n; i++)
        {
            hasRuns |= containers[i].Kind == ContainerKind.Run;
            payload += containers[i].SerializedBytes;
        }
        _ = keys;
        return HeaderSize(n, hasRuns) + payload;
    }

    private static long HeaderSize(int n, bool hasRuns) =>
        hasRuns
            ? 4 + (n + 7) / 8 + 4L * n + (n >= NoOffsetThreshold ? 4L * n : 0)
            : 8 + 8L * n;

    /// <summary>Writes the portable form to <paramref name="destination"/> (which holds at least <see cref="SerializedSize"/> bytes); returns bytes written.</summary>
    public static long Write(ReadOnlySpan<ushort> keys, ReadOnlySpan<Container> containers, byte* destination)
    {
        var n = containers.Length;
        var hasRuns = false;
        for (var i = 0; i < n; i++)
        {
            hasRuns |= containers[i].Kind == ContainerKind.Run;
        }
        var p = destination;
        bool withOffsets;
        if (hasRuns)
        {
            WriteU32(p, CookieWithRuns | (uint)(n - 1) << 16);
            p += 4;
            var flagBytes = (n + 7) / 8;
            new Span<byte>(p, flagBytes).Clear();
            for (var i = 0; i < n; i++)
            {
                if (containers[i].Kind == ContainerKind.Run)
                {
                    p[i >> 3] |= (byte)(1 << (i & 7));
                }
            }
            p += flagBytes;
            withOffsets = n >= NoOffsetThreshold;
        }
        else
        {
            WriteU32(p, CookieNoRuns);
            WriteU32(p + 4, (uint)n);
            p += 8;
            withOffsets = true;
        }
        for (var i = 0; i < n; i++)
        {
            WriteU16(p, keys[i]);
            WriteU16(p + 2, (ushort)(containers[i].Cardinality - 1));
            p += 4;
        }
        if (withOffsets)
        {
            var offset = p - destination + 4L * n;
            for (var i = 0; i < n; i++)
            {
                WriteU32(p, (uint)offset);
                p += 4;
                offset += containers[i].SerializedBytes;
            }
        }
        for (var i = 0; i < n; i++)
        {
            ref readonly var c = ref containers[i];
            switch (c.Kind)
            {
                case ContainerKind.Array:
                    Unsafe.CopyBlockUnaligned(p, c.Data, (uint)(2 * c.Length));
                    p += 2 * c.Length;
                    break;
                case ContainerKind.Bitset:
                    Unsafe.CopyBlockUnaligned(p, c.Data, 8192);
                    p += 8192;
                    break;
                default:
                    WriteU16(p, (ushort)c.Length);
                    Unsafe.CopyBlockUnaligned(p + 2, c.Data, (uint)(4 * c.Length));
                    p += 2 + 4 * c.Length;
                    break;
            }
        }
        return p - destination;
    }

    /// <summary>
    /// Reads one bitmap from <paramref name="data"/>. With <paramref name="borrow"/> the containers point
    /// into the buffer (which must outlive them and not change); otherwise each payload is copied into owned
    /// memory. <paramref name="baseOffset"/> is added to offsets in error messages (for nested bitmaps).
    /// </summary>
    public static (ushort[] Keys, Container[] Containers) Read(byte* data, long length, long baseOffset, bool borrow, out long consumed)
    {
        if (borrow)
        {
            var (keys, containers) = ReadStructure(data, length, baseOffset, out consumed, out _);
            CheckPayloads(new Reader(data, length, baseOffset), containers);
            return (keys, containers);
        }
        var (ownKeys, ownContainers) = ReadOwned(data, length, baseOffset, out consumed, out var block);
        // Callers of this form expect every container to own its payload: give each its own copy.
        for (var i = 0; i < ownContainers.Length; i++)
        {
            if (!ownContainers[i].Owned)
            {
                ownContainers[i] = ownContainers[i].Clone();
            }
        }
        block.Free();
        return (ownKeys, ownContainers);
    }

    /// <summary>
    /// Reads one bitmap from <paramref name="data"/> into memory of its own: every payload is packed into one
    /// <paramref name="block"/> that the caller keeps and frees when the bitmap goes away. Containers in the block
    /// are not <see cref="Container.Owned"/> (freeing one is a no-op) but belong to the caller, who may change
    /// them in place within their length. Each payload is
    /// validated while it is copied, so the input is read once after its header.
    /// </summary>
    public static (ushort[] Keys, Container[] Containers) ReadOwned(byte* data, long length, long baseOffset, out long consumed, out PayloadBlock block)
    {
        var reader = new Reader(data, length, baseOffset);
        var (keys, containers) = ReadStructure(data, length, baseOffset, out consumed, out var packedBytes);
        var bitsets = 0;
        for (var i = 0; i < containers.Length; i++)
        {
            bitsets += containers[i].Kind == ContainerKind.Bitset ? 1 : 0;
        }
        block = PayloadBlock.Allocate(bitsets, packedBytes);
        var words = (ulong*)block.Data;
        var packed = (byte*)block.Data + 8192L * bitsets;
        try
        {
            for (var i = 0; i < containers.Length; i++)
            {
                ref var c = ref containers[i];
                var source = c.Data;
                var at = (byte*)source - data;
                switch (c.Kind)
                {
                    case ContainerKind.Array:
                        if (!ArrayContainer.CopyStrictlyAscending((ushort*)source, c.Length, (ushort*)packed))
                        {
                            throw reader.Error(at + FirstDisorder((ushort*)source, c.Length) * 2, $"array container {i} is not strictly ascending");
                        }
                        c.Data = packed;
                        packed += 2 * c.Length;
                        break;
                    case ContainerKind.Run:
                        CheckRuns(ref reader, (ushort*)source, c.Length, c.Cardinality, at, i);
                        Buffer.MemoryCopy(source, packed, 4L * c.Length, 4L * c.Length);
                        c.Data = packed;
                        packed += 4 * c.Length;
                        break;
                    default:
                        var actual = BitsetContainer.CopyCount((ulong*)source, words);
                        if (actual != c.Cardinality)
                        {
                            throw reader.Error(at, $"bitset container {i} holds {actual} values but its header says {c.Cardinality}");
                        }
                        c.Data = words;
                        words += BitsetContainer.Words;
                        break;
                }
            }
        }
        catch
        {
            block.Free();
            throw;
        }
        return (keys, containers);
    }

    /// <summary>
    /// True when <paramref name="data"/> starts the way the 64-bit portable format does (CRoaring's roaring64,
    /// Java's Roaring64NavigableMap): a u64 bucket count, then each bucket's u32 high key and a 32-bit bitmap.
    /// </summary>
    private static bool LooksLike64Bit(byte* data, long length)
    {
        if (length < 8)
        {
            return false;
        }
        var buckets = ReadU32(data) | ((ulong)ReadU32(data + 4) << 32);
        if (buckets == 0)
        {
            return length == 8;
        }
        if (buckets > 1UL << 32 || length < 16)
        {
            return false;
        }
        var inner = ReadU32(data + 12);
        return inner == CookieNoRuns || (inner & 0xFFFF) == CookieWithRuns;
    }

    /// <summary>
    /// Checks everything but the payload contents: cookie, counts, key order, offsets, run counts and that every
    /// payload lies inside the buffer. Returns containers that borrow their payloads from
    /// <paramref name="data"/> (not yet validated) and the bytes the array and run payloads take.
    /// </summary>
    private static (ushort[] Keys, Container[] Containers) ReadStructure(byte* data, long length, long baseOffset, out long consumed, out long packedBytes)
    {
        var reader = new Reader(data, length, baseOffset);
        if (!reader.Has(0, 4))
        {
            throw reader.Truncated(0, 4, "the cookie");
        }
        var cookie = ReadU32(data);
        bool hasRuns;
        int n;
        long pos;
        byte* runFlags = null;
        if ((cookie & 0xFFFF) == CookieWithRuns)
        {
            hasRuns = true;
            n = (int)(cookie >> 16) + 1;
            pos = 4;
            if (!reader.Has(pos, (n + 7) / 8))
            {
                throw reader.Truncated(pos, (n + 7) / 8, $"the run-flag bitset of {n} containers");
            }
            runFlags = data + pos;
            pos += (n + 7) / 8;
        }
        else if (cookie == CookieNoRuns)
        {
            hasRuns = false;
            if (!reader.Has(4, 4))
            {
                throw reader.Truncated(4, 4, "the container count");
            }
            var count = ReadU32(data + 4);
            if (count > 65536)
            {
                throw reader.Error(4, $"container count {count} exceeds 65536");
            }
            n = (int)count;
            pos = 8;
        }
        else
        {
            throw reader.Error(0, LooksLike64Bit(data, length)
                ? "this is a 64-bit Roaring file (a bucket count, then 32-bit bitmaps under high keys); read it with Bitmap64.Deserialize"
                : $"unknown cookie 0x{cookie:X8} (expected 12346, or 12347 in the low 16 bits)");
        }
        var headerAt = pos;
        if (!reader.Has(pos, 4L * n))
        {
            throw reader.Truncated(pos, 4L * n, $"the descriptive header of {n} containers");
        }
        pos += 4L * n;
        var withOffsets = !hasRuns || n >= NoOffsetThreshold;
        var offsetsAt = pos;
        if (withOffsets)
        {
            if (!reader.Has(pos, 4L * n))
            {
                throw reader.Truncated(pos, 4L * n, $"the offset header of {n} containers");
            }
            pos += 4L * n;
        }
        var keys = n == 0 ? [] : new ushort[n];
        var containers = n == 0 ? [] : new Container[n];
        long packed = 0;
        var previousKey = -1;
        for (var i = 0; i < n; i++)
        {
            var key = ReadU16(data + headerAt + 4 * i);
            var cardinality = ReadU16(data + headerAt + 4 * i + 2) + 1;
            if (key <= previousKey)
            {
                throw reader.Error(headerAt + 4 * i, $"container key {key} does not follow key {previousKey} in ascending order");
            }
            previousKey = key;
            if (withOffsets)
            {
                var offset = ReadU32(data + offsetsAt + 4 * i);
                if (offset != pos)
                {
                    throw reader.Error(offsetsAt + 4 * i, $"container {i} offset {offset} does not match its payload position {pos}");
                }
            }
            var isRun = hasRuns && (runFlags[i >> 3] & (1 << (i & 7))) != 0;
            ref var c = ref containers[i];
            if (isRun)
            {
                if (!reader.Has(pos, 2))
                {
                    throw reader.Truncated(pos, 2, $"the run count of container {i}");
                }
                int runs = ReadU16(data + pos);
                if (runs == 0)
                {
                    throw reader.Error(pos, $"run container {i} has no runs");
                }
                if (!reader.Has(pos + 2, 4L * runs))
                {
                    throw reader.Truncated(pos + 2, 4L * runs, $"{runs} runs of container {i}");
                }
                c = new Container { Data = data + pos + 2, Kind = ContainerKind.Run, Length = runs, Cardinality = cardinality };
                pos += 2 + 4L * runs;
                packed += 4L * runs;
            }
            else if (cardinality <= ContainerAlgebra.ArrayMax)
            {
                if (!reader.Has(pos, 2L * cardinality))
                {
                    throw reader.Truncated(pos, 2L * cardinality, $"{cardinality} values of array container {i}");
                }
                c = new Container { Data = data + pos, Kind = ContainerKind.Array, Length = cardinality, Cardinality = cardinality };
                pos += 2L * cardinality;
                packed += 2L * cardinality;
            }
            else
            {
                if (!reader.Has(pos, 8192))
                {
                    throw reader.Truncated(pos, 8192, $"the bitset of container {i}");
                }
                c = new Container { Data = data + pos, Kind = ContainerKind.Bitset, Length = BitsetContainer.Words, Cardinality = cardinality };
                pos += 8192;
            }
            keys[i] = key;
        }
        consumed = pos;
        packedBytes = packed;
        return (keys, containers);
    }

    /// <summary>
    /// Validates the contents of payloads that lie inside <c>[data, data + length)</c> (arrays ascending, runs
    /// well-formed, bitset cardinalities as stated); offsets in errors are reported from <paramref name="baseOffset"/>.
    /// </summary>
    public static void CheckPayloads(byte* data, long length, long baseOffset, Container[] containers) =>
        CheckPayloads(new Reader(data, length, baseOffset), containers);

    /// <summary>Validates the borrowed payloads that <see cref="ReadStructure"/> located.</summary>
    private static void CheckPayloads(Reader reader, Container[] containers)
    {
        for (var i = 0; i < containers.Length; i++)
        {
            ref readonly var c = ref containers[i];
            var at = (byte*)c.Data - reader.Data;
            switch (c.Kind)
            {
                case ContainerKind.Array:
                    if (!ArrayContainer.IsStrictlyAscending(c.Values, c.Length))
                    {
                        throw reader.Error(at + FirstDisorder(c.Values, c.Length) * 2, $"array container {i} is not strictly ascending");
                    }
                    break;
                case ContainerKind.Run:
                    CheckRuns(ref reader, c.Runs, c.Length, c.Cardinality, at, i);
                    break;
                default:
                    var actual = BitsetContainer.Cardinality(c.Words);
                    if (actual != c.Cardinality)
                    {
                        throw reader.Error(at, $"bitset container {i} holds {actual} values but its header says {c.Cardinality}");
                    }
                    break;
            }
        }
    }

    private static void CheckRuns(ref Reader reader, ushort* pairs, int runs, int cardinality, long at, int index)
    {
        if (!RunsWellFormed(pairs, runs, out var total))
        {
            ThrowBadRun(ref reader, pairs, runs, at, index);
        }
        if (total != cardinality)
        {
            throw reader.Error(at - 2, $"run container {index} holds {total} values but its header says {cardinality}");
        }
    }

    /// <summary>
    /// True when every run ends at or below 65535 and starts at least two past the previous run's end (ascending,
    /// neither overlapping nor touching); <paramref name="total"/> is the values the runs hold. Branch-free vector
    /// passes over 16 (512-bit) or 8 (256-bit) runs at a time.
    /// </summary>
    internal static bool RunsWellFormed(ushort* pairs, int runs, out int total) => Vector512.IsHardwareAccelerated
        ? RunsWellFormed<Vector512Width<int>, Vector512<int>>(pairs, runs, out total)
        : RunsWellFormed<Vector256Width<int>, Vector256<int>>(pairs, runs, out total);

    /// <summary>
    /// <see cref="RunsWellFormed(ushort*, int, out int)"/> at one width (tests run each): each (start, length - 1) pair
    /// is one 32-bit lane, and the previous run's end comes from the same pairs loaded one run earlier; the runs past
    /// the last whole vector, or all of them when the width is not accelerated, one by one.
    /// </summary>
    internal static bool RunsWellFormed<TWidth, TVector>(ushort* pairs, int runs, out int total)
        where TWidth : struct, IVectorWidth<TVector, int>
        where TVector : struct
    {
        var ok = true;
        total = 0;
        var r = 0;
        if (runs > 0)
        {
            // The first run has no predecessor: it only has to end in range.
            var end = pairs[0] + pairs[1];
            ok = end <= 65535;
            total = pairs[1] + 1;
            r = 1;
        }
        if (TWidth.IsHardwareAccelerated)
        {
            var lanes = (int*)pairs;
            var bad = TWidth.Zero;
            var sum = TWidth.Zero;
            var low = TWidth.Create(0xFFFF);
            for (; r + TWidth.Count <= runs; r += TWidth.Count)
            {
                var current = TWidth.Load(lanes + r);
                var previous = TWidth.Load(lanes + r - 1);
                var starts = TWidth.And(current, low);
                var lengths = TWidth.ShiftRightLogical(current, 16);
                var previousEnds = TWidth.Add(TWidth.And(previous, low), TWidth.ShiftRightLogical(previous, 16));
                var outOfRange = TWidth.GreaterThan(TWidth.Add(starts, lengths), low);
                var touching = TWidth.LessThan(starts, TWidth.Add(previousEnds, TWidth.Create(2)));
                bad = TWidth.Or(bad, TWidth.Or(outOfRange, touching));
                sum = TWidth.Add(sum, TWidth.Add(lengths, TWidth.Create(1)));
            }
            ok &= TWidth.IsZero(bad);
            total += TWidth.Sum(sum);
        }
        for (; r < runs; r++)
        {
            int start = pairs[2 * r];
            var end = start + pairs[2 * r + 1];
            ok &= (end <= 65535) & (start >= pairs[2 * r - 2] + pairs[2 * r - 1] + 2);
            total += end - start + 1;
        }
        return ok;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowBadRun(ref Reader reader, ushort* pairs, int runs, long at, int index)
    {
        var previousEnd = -2;
        for (var r = 0; r < runs; r++)
        {
            int start = pairs[2 * r];
            var end = start + pairs[2 * r + 1];
            if (end > 65535)
            {
                throw reader.Error(at + 4L * r, $"run {r} of container {index} ends at {end}, beyond 65535");
            }
            if (start <= previousEnd + 1)
            {
                throw reader.Error(at + 4L * r, $"run {r} of container {index} starts at {start}, overlapping or touching the previous run ending at {previousEnd}");
            }
            previousEnd = end;
        }
        throw reader.Error(at, $"run container {index} is malformed");
    }

    private static long FirstDisorder(ushort* values, int n)
    {
        for (var i = 1; i < n; i++)
        {
            if (values[i] <= values[i - 1])
            {
                return i;
            }
        }
        return 0;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint ReadU32(byte* p) => BinaryPrimitives.ReadUInt32LittleEndian(new ReadOnlySpan<byte>(p, 4));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ushort ReadU16(byte* p) => BinaryPrimitives.ReadUInt16LittleEndian(new ReadOnlySpan<byte>(p, 2));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void WriteU32(byte* p, uint v) => BinaryPrimitives.WriteUInt32LittleEndian(new Span<byte>(p, 4), v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void WriteU16(byte* p, ushort v) => BinaryPrimitives.WriteUInt16LittleEndian(new Span<byte>(p, 2), v);

    /// <summary>Bounds checks against the buffer, with offsets reported relative to the outermost buffer.</summary>
    private readonly struct Reader(byte* data, long length, long baseOffset)
    {
        private readonly long _length = length;
        private readonly long _baseOffset = baseOffset;

        public byte* Data { get; } = data;

        public bool Has(long at, long bytes) => bytes <= _length - at;

        public InvalidDataException Truncated(long at, long bytes, string what) =>
            Error(at, $"truncated: {what} needs {bytes} bytes but only {Math.Max(0, _length - at)} remain");

        public InvalidDataException Error(long at, string problem) => FormatError.At(_baseOffset + at, problem);
    }
}
