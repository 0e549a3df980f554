using System.Collections;
using Bitfuse.Bitmaps;

namespace Bitfuse;

/// <summary>
/// The read surface of a <see cref="Bitmap"/> and nothing else: no member changes the values, so the compiler
/// rejects what a read-only <see cref="Bitmap"/> could only refuse at run time. Every member forwards to the
/// wrapped bitmap, so answers, costs and exceptions are the bitmap's own. Operations that build a result
/// (<see cref="And(ReadOnlyBitmap)"/>, the operators, <see cref="ToBitmap"/>) return new, owned, mutable bitmaps.
/// </summary>
/// <remarks>
/// <para>Three ways to get one, differing in who owns the wrapped bitmap:</para>
/// <list type="bullet">
/// <item><see cref="Bitmap.AsReadOnly"/>: a live window onto a bitmap its caller keeps owning (as
/// <see cref="List{T}.AsReadOnly"/>). Changes to the bitmap show through; an enumerator running while it changes
/// throws on its next step. Disposing the wrapper does nothing; disposing the bitmap makes the wrapper throw
/// <see cref="ObjectDisposedException"/>.</item>
/// <item><see cref="CreateView(ReadOnlyMemory{byte})"/>: a zero-copy view of serialized bytes. The wrapper owns
/// the view and the pin on the buffer; dispose it to release the pin.</item>
/// <item><c>Snapshot.GetReadOnly(name)</c> in Bitfuse.Database: the snapshot owns the bitmap; it is valid until the
/// snapshot is disposed, and disposing the wrapper does nothing.</item>
/// </list>
/// <para>Thread-safety is the wrapped bitmap's: any number of readers while nobody changes it.</para>
/// </remarks>
public sealed partial class ReadOnlyBitmap : IReadOnlySet<uint>, IEquatable<ReadOnlyBitmap>, IDisposable
{
    private readonly Bitmap _bitmap;

    // True only for CreateView, whose wrapped view exists for this wrapper alone.
    private readonly bool _ownsBitmap;

    internal ReadOnlyBitmap(Bitmap bitmap, bool ownsBitmap)
    {
        _bitmap = bitmap;
        _ownsBitmap = ownsBitmap;
    }

    /// <summary>
    /// A read-only view over a serialized buffer that borrows the payloads in place instead of copying them (see
    /// <see cref="Bitmap.CreateView(ReadOnlyMemory{byte})"/>). The buffer is pinned until the view is disposed and
    /// must not change meanwhile.
    /// </summary>
    /// <exception cref="InvalidDataException">The data is malformed or truncated (the message gives the offset).</exception>
    public static ReadOnlyBitmap CreateView(ReadOnlyMemory<byte> buffer) => new(Bitmap.CreateView(buffer), ownsBitmap: true);

    /// <inheritdoc cref="Bitmap.Count"/>
    public long Count => _bitmap.Count;

    /// <inheritdoc cref="Bitmap.IsEmpty"/>
    public bool IsEmpty => _bitmap.IsEmpty;

    /// <inheritdoc cref="Bitmap.Min"/>
    public uint Min => _bitmap.Min;

    /// <inheritdoc cref="Bitmap.Max"/>
    public uint Max => _bitmap.Max;

    int IReadOnlyCollection<uint>.Count => ((IReadOnlyCollection<uint>)_bitmap).Count;

    /// <inheritdoc cref="Bitmap.Contains(uint)"/>
    public bool Contains(uint value) => _bitmap.Contains(value);

    /// <inheritdoc cref="Bitmap.ContainsMany(ReadOnlySpan{uint}, Span{bool})"/>
    public void ContainsMany(ReadOnlySpan<uint> values, Span<bool> results) => _bitmap.ContainsMany(values, results);

    /// <inheritdoc cref="Bitmap.ContainsRange(long, long)"/>
    public bool ContainsRange(long start, long end) => _bitmap.ContainsRange(start, end);

    /// <inheritdoc cref="Bitmap.IntersectsRange(long, long)"/>
    public bool IntersectsRange(long start, long end) => _bitmap.IntersectsRange(start, end);

    /// <inheritdoc cref="Bitmap.RangeCount(long, long)"/>
    public long RangeCount(long start, long end) => _bitmap.RangeCount(start, end);

    /// <inheritdoc cref="Bitmap.Rank(uint)"/>
    public long Rank(uint value) => _bitmap.Rank(value);

    /// <inheritdoc cref="Bitmap.Rank(ReadOnlySpan{uint}, Span{long})"/>
    public void Rank(ReadOnlySpan<uint> values, Span<long> ranks) => _bitmap.Rank(values, ranks);

    /// <inheritdoc cref="Bitmap.Select(long)"/>
    public uint Select(long index) => _bitmap.Select(index);

    /// <inheritdoc cref="Bitmap.TrySelect(long, out uint)"/>
    public bool TrySelect(long rank, out uint value) => _bitmap.TrySelect(rank, out value);

    /// <inheritdoc cref="Bitmap.NextValue(uint)"/>
    public uint? NextValue(uint value) => _bitmap.NextValue(value);

    /// <inheritdoc cref="Bitmap.PreviousValue(uint)"/>
    public uint? PreviousValue(uint value) => _bitmap.PreviousValue(value);

    /// <inheritdoc cref="Bitmap.NextAbsentValue(uint)"/>
    public uint? NextAbsentValue(uint value) => _bitmap.NextAbsentValue(value);

    /// <inheritdoc cref="Bitmap.CopyTo(Span{uint})"/>
    public int CopyTo(Span<uint> destination) => _bitmap.CopyTo(destination);

    /// <inheritdoc cref="Bitmap.ToArray"/>
    public uint[] ToArray() => _bitmap.ToArray();

    /// <summary>An owned, mutable copy of the values (dispose it); later changes to either side do not reach the other.</summary>
    public Bitmap ToBitmap() => _bitmap.Clone();

    /// <inheritdoc cref="Bitmap.GetStatistics"/>
    public BitmapStatistics GetStatistics() => _bitmap.GetStatistics();

    /// <inheritdoc cref="Bitmap.GetEnumerator"/>
    public Bitmap.Enumerator GetEnumerator() => _bitmap.GetEnumerator();

    IEnumerator<uint> IEnumerable<uint>.GetEnumerator() => GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <inheritdoc cref="Bitmap.Descending"/>
    public Bitmap.DescendingValues Descending() => _bitmap.Descending();

    /// <inheritdoc cref="Bitmap.GetReader()"/>
    public BitmapReader GetReader() => _bitmap.GetReader();

    /// <inheritdoc cref="Bitmap.GetReader(long, long)"/>
    public BitmapReader GetReader(long start, long end) => _bitmap.GetReader(start, end);

    /// <inheritdoc cref="Bitmap.ForEach(Action{ReadOnlySpan{uint}}, long, long)"/>
    public void ForEach(Action<ReadOnlySpan<uint>> action, long start = 0, long end = 1L << 32) => _bitmap.ForEach(action, start, end);

    /// <inheritdoc cref="Bitmap.And(Bitmap)"/>
    public Bitmap And(Bitmap other) => _bitmap.And(other);

    /// <inheritdoc cref="Bitmap.And(Bitmap)"/>
    public Bitmap And(ReadOnlyBitmap other) => _bitmap.And(Unwrap(other));

    /// <inheritdoc cref="Bitmap.Or(Bitmap)"/>
    public Bitmap Or(Bitmap other) => _bitmap.Or(other);

    /// <inheritdoc cref="Bitmap.Or(Bitmap)"/>
    public Bitmap Or(ReadOnlyBitmap other) => _bitmap.Or(Unwrap(other));

    /// <inheritdoc cref="Bitmap.Xor(Bitmap)"/>
    public Bitmap Xor(Bitmap other) => _bitmap.Xor(other);

    /// <inheritdoc cref="Bitmap.Xor(Bitmap)"/>
    public Bitmap Xor(ReadOnlyBitmap other) => _bitmap.Xor(Unwrap(other));

    /// <inheritdoc cref="Bitmap.AndNot(Bitmap)"/>
    public Bitmap AndNot(Bitmap other) => _bitmap.AndNot(other);

    /// <inheritdoc cref="Bitmap.AndNot(Bitmap)"/>
    public Bitmap AndNot(ReadOnlyBitmap other) => _bitmap.AndNot(Unwrap(other));

    /// <inheritdoc cref="Bitmap.Not(long, long)"/>
    public Bitmap Not(long start, long end) => _bitmap.Not(start, end);

    /// <inheritdoc cref="Bitmap.AddOffset(long)"/>
    public Bitmap AddOffset(long offset) => _bitmap.AddOffset(offset);

    /// <inheritdoc cref="Bitmap.AndCount(Bitmap)"/>
    public long AndCount(Bitmap other) => _bitmap.AndCount(other);

    /// <inheritdoc cref="Bitmap.AndCount(Bitmap)"/>
    public long AndCount(ReadOnlyBitmap other) => _bitmap.AndCount(Unwrap(other));

    /// <inheritdoc cref="Bitmap.OrCount(Bitmap)"/>
    public long OrCount(Bitmap other) => _bitmap.OrCount(other);

    /// <inheritdoc cref="Bitmap.OrCount(Bitmap)"/>
    public long OrCount(ReadOnlyBitmap other) => _bitmap.OrCount(Unwrap(other));

    /// <inheritdoc cref="Bitmap.XorCount(Bitmap)"/>
    public long XorCount(Bitmap other) => _bitmap.XorCount(other);

    /// <inheritdoc cref="Bitmap.XorCount(Bitmap)"/>
    public long XorCount(ReadOnlyBitmap other) => _bitmap.XorCount(Unwrap(other));

    /// <inheritdoc cref="Bitmap.AndNotCount(Bitmap)"/>
    public long AndNotCount(Bitmap other) => _bitmap.AndNotCount(other);

    /// <inheritdoc cref="Bitmap.AndNotCount(Bitmap)"/>
    public long AndNotCount(ReadOnlyBitmap other) => _bitmap.AndNotCount(Unwrap(other));

    /// <inheritdoc cref="Bitmap.Jaccard(Bitmap)"/>
    public double Jaccard(Bitmap other) => _bitmap.Jaccard(other);

    /// <inheritdoc cref="Bitmap.Jaccard(Bitmap)"/>
    public double Jaccard(ReadOnlyBitmap other) => _bitmap.Jaccard(Unwrap(other));

    /// <inheritdoc cref="Bitmap.Intersects(Bitmap)"/>
    public bool Intersects(Bitmap other) => _bitmap.Intersects(other);

    /// <inheritdoc cref="Bitmap.Intersects(Bitmap)"/>
    public bool Intersects(ReadOnlyBitmap other) => _bitmap.Intersects(Unwrap(other));

    /// <inheritdoc cref="Bitmap.IsSubsetOf(Bitmap)"/>
    public bool IsSubsetOf(Bitmap other) => _bitmap.IsSubsetOf(other);

    /// <inheritdoc cref="Bitmap.IsSubsetOf(Bitmap)"/>
    public bool IsSubsetOf(ReadOnlyBitmap other) => _bitmap.IsSubsetOf(Unwrap(other));

    /// <inheritdoc cref="Bitmap.IsSupersetOf(Bitmap)"/>
    public bool IsSupersetOf(Bitmap other) => _bitmap.IsSupersetOf(other);

    /// <inheritdoc cref="Bitmap.IsSupersetOf(Bitmap)"/>
    public bool IsSupersetOf(ReadOnlyBitmap other) => _bitmap.IsSupersetOf(Unwrap(other));

    /// <inheritdoc cref="Bitmap.IsProperSubsetOf(Bitmap)"/>
    public bool IsProperSubsetOf(Bitmap other) => _bitmap.IsProperSubsetOf(other);

    /// <inheritdoc cref="Bitmap.IsProperSubsetOf(Bitmap)"/>
    public bool IsProperSubsetOf(ReadOnlyBitmap other) => _bitmap.IsProperSubsetOf(Unwrap(other));

    /// <inheritdoc cref="Bitmap.IsProperSupersetOf(Bitmap)"/>
    public bool IsProperSupersetOf(Bitmap other) => _bitmap.IsProperSupersetOf(other);

    /// <inheritdoc cref="Bitmap.IsProperSupersetOf(Bitmap)"/>
    public bool IsProperSupersetOf(ReadOnlyBitmap other) => _bitmap.IsProperSupersetOf(Unwrap(other));

    /// <inheritdoc cref="Bitmap.SetEquals(Bitmap)"/>
    public bool SetEquals(Bitmap other) => _bitmap.SetEquals(other);

    /// <inheritdoc cref="Bitmap.SetEquals(Bitmap)"/>
    public bool SetEquals(ReadOnlyBitmap other) => _bitmap.SetEquals(Unwrap(other));

    /// <inheritdoc cref="Bitmap.IsSubsetOf(IEnumerable{uint})"/>
    public bool IsSubsetOf(IEnumerable<uint> other) => _bitmap.IsSubsetOf(other);

    /// <inheritdoc cref="Bitmap.IsSupersetOf(IEnumerable{uint})"/>
    public bool IsSupersetOf(IEnumerable<uint> other) => _bitmap.IsSupersetOf(other);

    /// <inheritdoc cref="Bitmap.IsProperSubsetOf(IEnumerable{uint})"/>
    public bool IsProperSubsetOf(IEnumerable<uint> other) => _bitmap.IsProperSubsetOf(other);

    /// <inheritdoc cref="Bitmap.IsProperSupersetOf(IEnumerable{uint})"/>
    public bool IsProperSupersetOf(IEnumerable<uint> other) => _bitmap.IsProperSupersetOf(other);

    /// <inheritdoc cref="Bitmap.Overlaps(IEnumerable{uint})"/>
    public bool Overlaps(IEnumerable<uint> other) => _bitmap.Overlaps(other);

    /// <inheritdoc cref="Bitmap.SetEquals(IEnumerable{uint})"/>
    public bool SetEquals(IEnumerable<uint> other) => _bitmap.SetEquals(other);

    /// <inheritdoc cref="Bitmap.SerializedSize"/>
    public long SerializedSize() => _bitmap.SerializedSize();

    /// <inheritdoc cref="Bitmap.Serialize(Span{byte})"/>
    public int Serialize(Span<byte> destination) => _bitmap.Serialize(destination);

    /// <inheritdoc cref="Bitmap.Serialize()"/>
    public byte[] Serialize() => _bitmap.Serialize();

    /// <inheritdoc cref="Bitmap.Serialize(Stream)"/>
    public void Serialize(Stream stream) => _bitmap.Serialize(stream);

    /// <inheritdoc cref="Bitmap.SerializeToFile(string)"/>
    public void SerializeToFile(string path) => _bitmap.SerializeToFile(path);

    /// <summary>True when both hold the same values, as <see cref="SetEquals(ReadOnlyBitmap)"/>.</summary>
    public bool Equals(ReadOnlyBitmap? other) => other is not null && _bitmap.Equals(other._bitmap);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is ReadOnlyBitmap other && Equals(other);

    /// <inheritdoc cref="Bitmap.GetHashCode"/>
    public override int GetHashCode() => _bitmap.GetHashCode();

    /// <inheritdoc cref="Bitmap.ToString"/>
    public override string ToString() => _bitmap.ToString();

    /// <summary>True when both are null or hold the same values.</summary>
    public static bool operator ==(ReadOnlyBitmap? left, ReadOnlyBitmap? right) => left is null ? right is null : left.Equals(right);

    /// <summary>True unless both are null or hold the same values.</summary>
    public static bool operator !=(ReadOnlyBitmap? left, ReadOnlyBitmap? right) => !(left == right);

    /// <summary>A new bitmap: the values in both.</summary>
    public static Bitmap operator &(ReadOnlyBitmap left, ReadOnlyBitmap right) => Unwrap(left) & Unwrap(right);

    /// <summary>A new bitmap: the values in both.</summary>
    public static Bitmap operator &(ReadOnlyBitmap left, Bitmap right) => Unwrap(left) & right;

    /// <summary>A new bitmap: the values in both.</summary>
    public static Bitmap operator &(Bitmap left, ReadOnlyBitmap right) => left & Unwrap(right);

    /// <summary>A new bitmap: the values in either.</summary>
    public static Bitmap operator |(ReadOnlyBitmap left, ReadOnlyBitmap right) => Unwrap(left) | Unwrap(right);

    /// <summary>A new bitmap: the values in either.</summary>
    public static Bitmap operator |(ReadOnlyBitmap left, Bitmap right) => Unwrap(left) | right;

    /// <summary>A new bitmap: the values in either.</summary>
    public static Bitmap operator |(Bitmap left, ReadOnlyBitmap right) => left | Unwrap(right);

    /// <summary>A new bitmap: the values in exactly one.</summary>
    public static Bitmap operator ^(ReadOnlyBitmap left, ReadOnlyBitmap right) => Unwrap(left) ^ Unwrap(right);

    /// <summary>A new bitmap: the values in exactly one.</summary>
    public static Bitmap operator ^(ReadOnlyBitmap left, Bitmap right) => Unwrap(left) ^ right;

    /// <summary>A new bitmap: the values in exactly one.</summary>
    public static Bitmap operator ^(Bitmap left, ReadOnlyBitmap right) => left ^ Unwrap(right);

    /// <summary>A new bitmap: the values of <paramref name="left"/> not in <paramref name="right"/>.</summary>
    public static Bitmap operator -(ReadOnlyBitmap left, ReadOnlyBitmap right) => Unwrap(left) - Unwrap(right);

    /// <summary>A new bitmap: the values of <paramref name="left"/> not in <paramref name="right"/>.</summary>
    public static Bitmap operator -(ReadOnlyBitmap left, Bitmap right) => Unwrap(left) - right;

    /// <summary>A new bitmap: the values of <paramref name="left"/> not in <paramref name="right"/>.</summary>
    public static Bitmap operator -(Bitmap left, ReadOnlyBitmap right) => left - Unwrap(right);

    /// <summary>
    /// Releases the view and its pin when this wrapper came from <see cref="CreateView(ReadOnlyMemory{byte})"/>;
    /// does nothing for <see cref="Bitmap.AsReadOnly"/> and snapshot bitmaps, whose owners release them.
    /// </summary>
    public void Dispose()
    {
        if (_ownsBitmap)
        {
            _bitmap.Dispose();
        }
    }

    /// <summary>The wrapped bitmap, for the library's own read paths (never handed out: it may be live and mutable).</summary>
    internal Bitmap Inner => _bitmap;

    private static Bitmap Unwrap(ReadOnlyBitmap bitmap)
    {
        ArgumentNullException.ThrowIfNull(bitmap);
        return bitmap._bitmap;
    }
}
