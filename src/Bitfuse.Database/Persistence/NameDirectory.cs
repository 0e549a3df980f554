using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Text;
using System.Text.Unicode;

namespace Bitfuse.Persistence;

// The directory of a checkpoint: every name and where its bitmap frame is, kept sorted in the data file and
// searched in place over the mapped pages, so opening a database reads no names at all.
//
// Body of a directory frame (little-endian):
//   u32 count, u32 0,
//   count × u32 entry offsets (from the start of the body), ascending,
//   count entries: u16 UTF-8 length, the name, i64 frame offset, i64 cardinality (unaligned, packed in order).
// Entries are in NameOrder (string.CompareOrdinal order), names unique.
//
// Invariants:
//  N1. The body's checksum is checked when the directory is opened (one pass over its bytes, no decoding);
//      every field read afterwards is bounds-checked where it is read (an entry offset inside the body, a name
//      length that fits, a frame offset where a frame written before the directory can start), so a directory
//      that passed its checksum but is malformed gives DatabaseCorruptException, never a wild read.
//  N2. The order and the exact tiling of the entries are checked by VerifyStructure (Database.Verify): a lookup
//      relies on them but cannot misread memory if they fail, only miss a name.
//  N3. The entry of index i is made once (the first lookup that reaches it) and shared by every version whose
//      directory this is, so a stored bitmap is viewed and checked once per open, not once per snapshot; a name
//      found once is kept in a hash table, so later lookups of it read no directory bytes.

/// <summary>The directory frame of a checkpoint, read in place (see the layout above).</summary>
internal sealed unsafe class NameDirectory
{
    private const int HeaderBytes = 8;
    private const int MinEntryBytes = 2 + 1 + 16;

    private readonly DataFile _file;
    private readonly byte* _body;
    private readonly long _length;
    private readonly long _bodyOffset;
    private readonly long _directoryOffset;
    private readonly NameEntry?[] _entries;

    // Names found so far, so a name is searched for once per directory and then costs one hash (N3).
    private readonly ConcurrentDictionary<string, NameEntry> _found = new(StringComparer.Ordinal);

    private NameDirectory(DataFile file, long directoryOffset, byte* body, long length, int count)
    {
        _file = file;
        _directoryOffset = directoryOffset;
        _bodyOffset = directoryOffset + DataFile.FrameHeaderBytes;
        _body = body;
        _length = length;
        Count = count;
        _entries = new NameEntry?[count];
    }

    /// <summary>How many names.</summary>
    public int Count { get; }

    /// <summary>
    /// The directory frame at <paramref name="directoryOffset"/> of <paramref name="file"/>: its header and body
    /// checksums are checked, its count and offset table sized (N1); no entry is read.
    /// </summary>
    /// <exception cref="DatabaseCorruptException">The frame fails a checksum or its count does not fit.</exception>
    public static NameDirectory Open(DataFile file, long directoryOffset)
    {
        var body = file.Body(directoryOffset, FrameKind.Directory, checkBody: true, out var length);
        var bodyOffset = directoryOffset + DataFile.FrameHeaderBytes;
        if (length < HeaderBytes)
        {
            throw new DatabaseCorruptException(file.FilePath, bodyOffset, "the directory is shorter than its header");
        }
        var count = BinaryPrimitives.ReadUInt32LittleEndian(new ReadOnlySpan<byte>(body, HeaderBytes));
        if (count > (length - HeaderBytes) / (4 + MinEntryBytes))
        {
            throw new DatabaseCorruptException(file.FilePath, bodyOffset, $"the directory counts {count} names, more than its {length} bytes can hold");
        }
        return new NameDirectory(file, directoryOffset, body, length, (int)count);
    }

    /// <summary>The body for <paramref name="names"/> (in <see cref="NameOrder"/>, unique).</summary>
    /// <exception cref="InvalidOperationException">The directory would pass 4 GiB (its offsets are 32-bit).</exception>
    public static byte[] Encode(IReadOnlyList<(string Name, long FrameOffset, long Cardinality)> names)
    {
        var size = HeaderBytes + 4L * names.Count;
        foreach (var (name, _, _) in names)
        {
            size += 2 + Encoding.UTF8.GetByteCount(name) + 16;
        }
        if (size > uint.MaxValue)
        {
            throw new InvalidOperationException($"a directory of {names.Count} names would take {size} bytes, more than its 32-bit offsets reach");
        }
        var body = new byte[size];
        var s = body.AsSpan();
        BinaryPrimitives.WriteUInt32LittleEndian(s, (uint)names.Count);
        var at = HeaderBytes + 4 * names.Count;
        for (var i = 0; i < names.Count; i++)
        {
            var (name, frame, cardinality) = names[i];
            BinaryPrimitives.WriteUInt32LittleEndian(s[(HeaderBytes + 4 * i)..], (uint)at);
            var n = Encoding.UTF8.GetBytes(name, s[(at + 2)..]);
            BinaryPrimitives.WriteUInt16LittleEndian(s[at..], (ushort)n);
            at += 2 + n;
            BinaryPrimitives.WriteInt64LittleEndian(s[at..], frame);
            BinaryPrimitives.WriteInt64LittleEndian(s[(at + 8)..], cardinality);
            at += 16;
        }
        return body;
    }

    /// <summary>The index of <paramref name="name"/>, or -1 when the directory does not hold it (O(log n) reads of the mapped pages).</summary>
    /// <exception cref="DatabaseCorruptException">An entry the search reads is malformed.</exception>
    public int IndexOf(string name)
    {
        Span<byte> key = stackalloc byte[LogRecord.MaxNameBytes];
        if (Utf8.FromUtf16(name, key, out _, out var written, replaceInvalidSequences: false) != OperationStatus.Done)
        {
            return -1; // too long or not well-formed: no stored name is
        }
        key = key[..written];
        int low = 0, high = Count - 1;
        while (low <= high)
        {
            var middle = (int)((uint)(low + high) >> 1);
            var order = NameOrder.Compare(NameBytes(middle), key);
            if (order == 0)
            {
                return middle;
            }
            if (order < 0)
            {
                low = middle + 1;
            }
            else
            {
                high = middle - 1;
            }
        }
        return -1;
    }

    /// <summary>The entry of <paramref name="name"/>, or null when the directory does not hold it.</summary>
    /// <exception cref="DatabaseCorruptException">An entry the search reads is malformed.</exception>
    public NameEntry? Find(string name)
    {
        if (_found.TryGetValue(name, out var entry))
        {
            return entry;
        }
        var index = IndexOf(name);
        if (index < 0)
        {
            return null;
        }
        entry = Entry(index, name);
        _found.TryAdd(name, entry);
        return entry;
    }

    /// <summary>The entry of index <paramref name="index"/>, made on first use and shared after (N3).</summary>
    public NameEntry Entry(int index, string? name = null)
    {
        var entry = Volatile.Read(ref _entries[index]);
        if (entry is not null)
        {
            return entry;
        }
        var made = NameEntry.Stored(name ?? NameAt(index), _file, FrameOffset(index));
        return Interlocked.CompareExchange(ref _entries[index], made, null) ?? made;
    }

    /// <summary>The entry of <paramref name="index"/> if a lookup made it already, else null.</summary>
    public NameEntry? MadeEntry(int index) => Volatile.Read(ref _entries[index]);

    /// <summary>Hands <paramref name="entry"/> (the same name and frame, from an older directory) to index <paramref name="index"/>, unless it has one.</summary>
    public void Adopt(int index, NameEntry entry) => Interlocked.CompareExchange(ref _entries[index], entry, null);

    /// <summary>The name of index <paramref name="index"/>.</summary>
    public string NameAt(int index) => Encoding.UTF8.GetString(NameBytes(index));

    /// <summary>The UTF-8 name of index <paramref name="index"/>, bounds-checked (N1).</summary>
    public ReadOnlySpan<byte> NameBytes(int index) => NameBytesAt(EntryAt(index), index);

    private ReadOnlySpan<byte> NameBytesAt(long at, int index)
    {
        int n = BinaryPrimitives.ReadUInt16LittleEndian(new ReadOnlySpan<byte>(_body + at, 2));
        if (n == 0 || n > LogRecord.MaxNameBytes || _length - at - 2 < n + 16)
        {
            throw Corrupt(at, $"entry {index} has a {n}-byte name that does not fit");
        }
        return new ReadOnlySpan<byte>(_body + at + 2, n);
    }

    /// <summary>Where the bitmap frame of index <paramref name="index"/> is, checked to be where a frame written before the directory can start.</summary>
    public long FrameOffset(int index)
    {
        var at = FieldsAt(index);
        var frame = BinaryPrimitives.ReadInt64LittleEndian(new ReadOnlySpan<byte>(_body + at, 8));
        if (frame < 2 * MetaPage.SlotBytes || frame >= _directoryOffset || (frame & 63) != 0)
        {
            throw Corrupt(at, $"entry {index} points at byte {frame}, where no bitmap frame can start");
        }
        return frame;
    }

    /// <summary>The cardinality the directory records for index <paramref name="index"/>.</summary>
    public long Cardinality(int index) => BinaryPrimitives.ReadInt64LittleEndian(new ReadOnlySpan<byte>(_body + FieldsAt(index) + 8, 8));

    /// <summary>
    /// Checks what lookups take on trust (N2): every entry offset, name and frame offset; the names strictly
    /// ascending in <see cref="NameOrder"/>, valid UTF-8; the entries tiling the body exactly.
    /// </summary>
    /// <exception cref="DatabaseCorruptException">The first problem found.</exception>
    public void VerifyStructure()
    {
        var expected = HeaderBytes + 4L * Count;
        var strict = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
        for (var i = 0; i < Count; i++)
        {
            var at = EntryAt(i);
            if (at != expected)
            {
                throw Corrupt(HeaderBytes + 4L * i, $"entry {i} starts at {at}, not where entry {i - 1} ends ({expected})");
            }
            var name = NameBytesAt(at, i);
            try
            {
                strict.GetCharCount(name);
            }
            catch (DecoderFallbackException)
            {
                throw Corrupt(at, $"entry {i} has a name that is not valid UTF-8");
            }
            if (i > 0 && NameOrder.Compare(NameBytes(i - 1), name) >= 0)
            {
                throw Corrupt(at, $"entry {i} ('{NameAt(i)}') is out of order");
            }
            FrameOffset(i);
            expected = at + 2 + name.Length + 16;
        }
        if (expected != _length)
        {
            throw Corrupt(expected, $"{_length - expected} bytes follow the last entry");
        }
    }

    private long EntryAt(int index)
    {
        var at = (long)BinaryPrimitives.ReadUInt32LittleEndian(new ReadOnlySpan<byte>(_body + HeaderBytes + 4L * index, 4));
        if (at < HeaderBytes + 4L * Count || at > _length - MinEntryBytes)
        {
            throw Corrupt(HeaderBytes + 4L * index, $"entry {index} is said to start at {at}, outside the entries");
        }
        return at;
    }

    private long FieldsAt(int index)
    {
        var at = EntryAt(index);
        return at + 2 + NameBytesAt(at, index).Length;
    }

    private DatabaseCorruptException Corrupt(long bodyOffset, string problem) => new(_file.FilePath, _bodyOffset + bodyOffset, problem);
}
