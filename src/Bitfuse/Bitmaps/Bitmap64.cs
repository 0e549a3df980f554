using System.Buffers.Binary;
using Bitfuse.Bitmaps;

namespace Bitfuse;

/// <summary>
/// A set of <see cref="ulong"/> values: a sorted map from the high 32 bits to a <see cref="Bitmap"/> of the low
/// 32 bits. Serializes to the 64-bit Roaring portable format (a u64 bucket count, then per bucket a u32 high key
/// and a 32-bit portable bitmap), which CRoaring, Java and Go read. Same threading rules as <see cref="Bitmap"/>.
/// </summary>
public sealed partial class Bitmap64 : IDisposable, IEnumerable<ulong>
{
    private uint[] _highs = [];
    private Bitmap[] _buckets = [];
    private int _size;
    private long _count;
    private bool _disposed;

    // Stepped by every change (and by Dispose); an enumerator remembers it and checks it on every step.
    private int _version;

    /// <summary>Number of values.</summary>
    public long Count
    {
        get
        {
            ThrowIfDisposed();
            return _count;
        }
    }

    /// <summary>True when the set is empty.</summary>
    public bool IsEmpty => Count == 0;

    /// <summary>Number of high-32-bit buckets.</summary>
    public int BucketCount => _size;

    /// <summary>A set holding <paramref name="values"/> (any order, duplicates allowed).</summary>
    public static Bitmap64 FromValues(ReadOnlySpan<ulong> values)
    {
        var set = new Bitmap64();
        set.AddMany(values);
        return set;
    }

    /// <summary>True when <paramref name="value"/> is in the set.</summary>
    public bool Contains(ulong value)
    {
        ThrowIfDisposed();
        var i = IndexOf((uint)(value >> 32));
        return i >= 0 && _buckets[i].Contains((uint)value);
    }

    /// <summary>Adds a value; true when it was new.</summary>
    public bool Add(ulong value)
    {
        BeginChange();
        var bucket = Bucket((uint)(value >> 32));
        if (!bucket.Add((uint)value))
        {
            return false;
        }
        _count++;
        return true;
    }

    /// <summary>Removes a value; true when it was there.</summary>
    public bool Remove(ulong value)
    {
        BeginChange();
        var i = IndexOf((uint)(value >> 32));
        if (i < 0 || !_buckets[i].Remove((uint)value))
        {
            return false;
        }
        _count--;
        if (_buckets[i].IsEmpty)
        {
            RemoveAt(i);
        }
        return true;
    }

    /// <summary>Adds many values (sorted input is fastest).</summary>
    public void AddMany(ReadOnlySpan<ulong> values) => ChangeMany(values, add: true);

    /// <summary>Removes many values (absent ones are ignored); like <see cref="AddMany"/>, each bucket's values go in as one batch.</summary>
    public void RemoveMany(ReadOnlySpan<ulong> values) => ChangeMany(values, add: false);

    // Sorts the values when they are not sorted, then hands each high half's low halves to its bucket in batches.
    private void ChangeMany(ReadOnlySpan<ulong> values, bool add)
    {
        BeginChange();
        ulong[]? sorted = null;
        for (var i = 1; i < values.Length; i++)
        {
            if (values[i] < values[i - 1])
            {
                sorted = values.ToArray();
                Array.Sort(sorted);
                values = sorted;
                break;
            }
        }
        var lows = new uint[Math.Min(values.Length, 1 << 16)];
        var at = 0;
        while (at < values.Length)
        {
            var high = (uint)(values[at] >> 32);
            var i = IndexOf(high);
            if (!add && i < 0)
            {
                while (at < values.Length && (uint)(values[at] >> 32) == high)
                {
                    at++;
                }
                continue;
            }
            var bucket = add ? Bucket(high) : _buckets[i];
            var before = bucket.Count;
            while (at < values.Length && (uint)(values[at] >> 32) == high)
            {
                var n = 0;
                while (n < lows.Length && at < values.Length && (uint)(values[at] >> 32) == high)
                {
                    lows[n++] = (uint)values[at++];
                }
                if (add)
                {
                    bucket.AddMany(lows.AsSpan(0, n));
                }
                else
                {
                    bucket.RemoveMany(lows.AsSpan(0, n));
                }
            }
            _count += bucket.Count - before;
            if (bucket.IsEmpty)
            {
                RemoveAt(IndexOf(high));
            }
        }
    }

    /// <summary>The smallest value; throws when empty.</summary>
    public ulong Min => IsEmpty ? throw new InvalidOperationException("The set is empty.") : (ulong)_highs[0] << 32 | _buckets[0].Min;

    /// <summary>The largest value; throws when empty.</summary>
    public ulong Max => IsEmpty ? throw new InvalidOperationException("The set is empty.") : (ulong)_highs[_size - 1] << 32 | _buckets[_size - 1].Max;

    /// <summary>How many values are &lt;= <paramref name="value"/>.</summary>
    public long Rank(ulong value)
    {
        ThrowIfDisposed();
        var high = (uint)(value >> 32);
        long rank = 0;
        for (var i = 0; i < _size && _highs[i] <= high; i++)
        {
            rank += _highs[i] < high ? _buckets[i].Count : _buckets[i].Rank((uint)value);
        }
        return rank;
    }

    /// <summary>A new set: values in both.</summary>
    public Bitmap64 And(Bitmap64 other) => Combine(other, static (a, b) => a.And(b), keepLeftOnly: false, keepRightOnly: false);

    /// <summary>A new set: values in either.</summary>
    public Bitmap64 Or(Bitmap64 other) => Combine(other, static (a, b) => a.Or(b), keepLeftOnly: true, keepRightOnly: true);

    /// <summary>A new set: values in exactly one.</summary>
    public Bitmap64 Xor(Bitmap64 other) => Combine(other, static (a, b) => a.Xor(b), keepLeftOnly: true, keepRightOnly: true);

    /// <summary>A new set: values in this one and not in <paramref name="other"/>.</summary>
    public Bitmap64 AndNot(Bitmap64 other) => Combine(other, static (a, b) => a.AndNot(b), keepLeftOnly: true, keepRightOnly: false);

    /// <summary>|this ∩ other| without building anything.</summary>
    public long AndCount(Bitmap64 other)
    {
        ThrowIfDisposed(other);
        long count = 0;
        for (int i = 0, j = 0; i < _size && j < other._size;)
        {
            if (_highs[i] == other._highs[j])
            {
                count += _buckets[i++].AndCount(other._buckets[j++]);
            }
            else if (_highs[i] < other._highs[j])
            {
                i++;
            }
            else
            {
                j++;
            }
        }
        return count;
    }

    /// <summary>|this ∪ other| without building anything.</summary>
    public long OrCount(Bitmap64 other) => _count + other._count - AndCount(other);

    /// <summary>|this ⊕ other| without building anything.</summary>
    public long XorCount(Bitmap64 other) => _count + other._count - 2 * AndCount(other);

    /// <summary>|this \ other| without building anything.</summary>
    public long AndNotCount(Bitmap64 other) => _count - AndCount(other);

    /// <summary>True when the sets share a value.</summary>
    public bool Intersects(Bitmap64 other)
    {
        ThrowIfDisposed(other);
        for (int i = 0, j = 0; i < _size && j < other._size;)
        {
            if (_highs[i] == other._highs[j])
            {
                if (_buckets[i++].Intersects(other._buckets[j++]))
                {
                    return true;
                }
            }
            else if (_highs[i] < other._highs[j])
            {
                i++;
            }
            else
            {
                j++;
            }
        }
        return false;
    }

    /// <summary>True when every value of this set is in <paramref name="other"/>.</summary>
    public bool IsSubsetOf(Bitmap64 other)
    {
        ThrowIfDisposed(other);
        return _count <= other._count && AndCount(other) == _count;
    }

    /// <summary>True when both hold the same values.</summary>
    public bool SetEquals(Bitmap64 other)
    {
        ThrowIfDisposed(other);
        if (_count != other._count || _size != other._size)
        {
            return false;
        }
        for (var i = 0; i < _size; i++)
        {
            if (_highs[i] != other._highs[i] || !_buckets[i].SetEquals(other._buckets[i]))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>Run-optimizes every bucket (see <see cref="Bitmap.Optimize"/>).</summary>
    public void Optimize()
    {
        BeginChange();
        for (var i = 0; i < _size; i++)
        {
            _buckets[i].Optimize();
        }
    }

    /// <summary>
    /// A read-only window onto this set (as <see cref="Bitmap.AsReadOnly"/>): not a copy, so later changes show
    /// through it, and disposing this set ends it.
    /// </summary>
    public ReadOnlyBitmap64 AsReadOnly()
    {
        ThrowIfDisposed();
        return new ReadOnlyBitmap64(this);
    }

    /// <summary>An independent copy.</summary>
    public Bitmap64 Clone()
    {
        ThrowIfDisposed();
        var copy = new Bitmap64 { _highs = new uint[_size], _buckets = new Bitmap[_size], _size = _size, _count = _count };
        Array.Copy(_highs, copy._highs, _size);
        for (var i = 0; i < _size; i++)
        {
            copy._buckets[i] = _buckets[i].Clone();
        }
        return copy;
    }

    /// <summary>Every value in ascending order.</summary>
    public ulong[] ToArray()
    {
        var values = new ulong[Count];
        CopyTo(values);
        return values;
    }

    /// <summary>Bytes of the 64-bit portable form.</summary>
    public long SerializedSize()
    {
        ThrowIfDisposed();
        long size = 8;
        for (var i = 0; i < _size; i++)
        {
            size += 4 + _buckets[i].SerializedSize();
        }
        return size;
    }

    /// <summary>Writes the 64-bit portable form; returns the bytes written.</summary>
    public int Serialize(Span<byte> destination)
    {
        var size = SerializedSize();
        if (destination.Length < size)
        {
            throw new ArgumentException($"Destination holds {destination.Length} bytes; the set needs {size}.", nameof(destination));
        }
        BinaryPrimitives.WriteUInt64LittleEndian(destination, (ulong)_size);
        var at = 8;
        for (var i = 0; i < _size; i++)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(destination[at..], _highs[i]);
            at += 4;
            at += _buckets[i].Serialize(destination[at..]);
        }
        return at;
    }

    /// <summary>The 64-bit portable form as a new array.</summary>
    public byte[] Serialize()
    {
        var bytes = new byte[checked((int)SerializedSize())];
        Serialize(bytes);
        return bytes;
    }

    /// <summary>Writes the 64-bit portable form to a stream.</summary>
    public void Serialize(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        stream.Write(Serialize());
    }

    /// <summary>Reads a set in the 64-bit portable form; the buffer must hold exactly one set.</summary>
    /// <exception cref="InvalidDataException">Malformed or truncated input (the message names the byte offset).</exception>
    public static unsafe Bitmap64 Deserialize(ReadOnlySpan<byte> source)
    {
        if (source.Length < 8)
        {
            throw FormatError.At(0, $"truncated: the bucket count needs 8 bytes but only {source.Length} remain");
        }
        var buckets = BinaryPrimitives.ReadUInt64LittleEndian(source);
        // Every bucket takes at least 4 (key) + 8 (empty bitmap) bytes: a larger count is a lie.
        if (buckets > (ulong)(source.Length - 8) / 12)
        {
            throw FormatError.At(0, $"bucket count {buckets} cannot fit in the {source.Length - 8} bytes that follow");
        }
        var set = new Bitmap64();
        try
        {
            long at = 8;
            long previous = -1;
            fixed (byte* p = source)
            {
                for (ulong b = 0; b < buckets; b++)
                {
                    if (source.Length - at < 4)
                    {
                        throw FormatError.At(at, $"truncated: the high key of bucket {b} needs 4 bytes");
                    }
                    var high = BinaryPrimitives.ReadUInt32LittleEndian(source[(int)at..]);
                    if (high <= previous)
                    {
                        throw FormatError.At(at, $"bucket key {high} does not follow key {previous} in ascending order");
                    }
                    previous = high;
                    at += 4;
                    var bitmap = Bitmap.ReadAt(p + at, source.Length - at, at, out var consumed);
                    at += consumed;
                    if (bitmap.IsEmpty)
                    {
                        bitmap.Dispose();
                        continue;
                    }
                    set.Append(high, bitmap);
                }
            }
            if (at != source.Length)
            {
                throw FormatError.At(at, $"{source.Length - at} bytes follow the last bucket");
            }
        }
        catch
        {
            set.Dispose();
            throw;
        }
        return set;
    }

    /// <summary>Reads a set in the 64-bit portable form from the rest of a stream.</summary>
    public static Bitmap64 Deserialize(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return Deserialize(copy.GetBuffer().AsSpan(0, (int)copy.Length));
    }

    /// <summary>Reads the set stored in a file (64-bit portable form).</summary>
    public static Bitmap64 DeserializeFile(string path) => Deserialize(File.ReadAllBytes(path));

    /// <summary>Writes the 64-bit portable form to a file (replacing it).</summary>
    public void SerializeToFile(string path) => File.WriteAllBytes(path, Serialize());

    /// <summary>Disposes every bucket.</summary>
    public void Dispose()
    {
        _disposed = true;
        _version++;
        for (var i = 0; i < _size; i++)
        {
            _buckets[i].Dispose();
        }
        _size = 0;
        _count = 0;
        _highs = [];
        _buckets = [];
    }

    // Every change starts here: refuses a disposed set and steps the version stamp enumerators check.
    private void BeginChange()
    {
        ThrowIfDisposed();
        _version++;
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);

    // The check for the two operands of a pairwise operation.
    private void ThrowIfDisposed(Bitmap64 other)
    {
        ArgumentNullException.ThrowIfNull(other);
        ThrowIfDisposed();
        other.ThrowIfDisposed();
    }

    private int IndexOf(uint high) => Array.BinarySearch(_highs, 0, _size, high);

    private Bitmap Bucket(uint high)
    {
        var i = IndexOf(high);
        if (i >= 0)
        {
            return _buckets[i];
        }
        i = ~i;
        if (_size == _highs.Length)
        {
            var capacity = Math.Max(4, _size * 2);
            Array.Resize(ref _highs, capacity);
            Array.Resize(ref _buckets, capacity);
        }
        Array.Copy(_highs, i, _highs, i + 1, _size - i);
        Array.Copy(_buckets, i, _buckets, i + 1, _size - i);
        _highs[i] = high;
        _buckets[i] = new Bitmap();
        _size++;
        return _buckets[i];
    }

    private void RemoveAt(int i)
    {
        _buckets[i].Dispose();
        _size--;
        Array.Copy(_highs, i + 1, _highs, i, _size - i);
        Array.Copy(_buckets, i + 1, _buckets, i, _size - i);
        _buckets[_size] = null!;
    }

    private void Append(uint high, Bitmap bitmap)
    {
        if (_size == _highs.Length)
        {
            var capacity = Math.Max(4, _size * 2);
            Array.Resize(ref _highs, capacity);
            Array.Resize(ref _buckets, capacity);
        }
        _highs[_size] = high;
        _buckets[_size] = bitmap;
        _size++;
        _count += bitmap.Count;
    }

    private Bitmap64 Combine(Bitmap64 other, Func<Bitmap, Bitmap, Bitmap> op, bool keepLeftOnly, bool keepRightOnly)
    {
        ThrowIfDisposed(other);
        var result = new Bitmap64();
        int i = 0, j = 0;
        while (i < _size || j < other._size)
        {
            Bitmap? bucket = null;
            uint high;
            if (j == other._size || (i < _size && _highs[i] < other._highs[j]))
            {
                high = _highs[i];
                bucket = keepLeftOnly ? _buckets[i].Clone() : null;
                i++;
            }
            else if (i == _size || other._highs[j] < _highs[i])
            {
                high = other._highs[j];
                bucket = keepRightOnly ? other._buckets[j].Clone() : null;
                j++;
            }
            else
            {
                high = _highs[i];
                bucket = op(_buckets[i++], other._buckets[j++]);
            }
            if (bucket is null)
            {
                continue;
            }
            if (bucket.IsEmpty)
            {
                bucket.Dispose();
                continue;
            }
            result.Append(high, bucket);
        }
        return result;
    }
}
