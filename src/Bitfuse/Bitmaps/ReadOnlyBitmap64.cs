using System.Collections;

namespace Bitfuse;

/// <summary>
/// The read surface of a <see cref="Bitmap64"/> and nothing else, as <see cref="ReadOnlyBitmap"/> is for
/// <see cref="Bitmap"/>: a live window made by <see cref="Bitmap64.AsReadOnly"/> onto a set its caller keeps owning.
/// Changes to the set show through; an enumerator running while it changes throws on its next step; disposing the
/// set makes the window throw <see cref="ObjectDisposedException"/>. Every member forwards to the set, so answers,
/// costs and exceptions are the set's own; operations that build a result return new, owned, mutable sets.
/// </summary>
public sealed class ReadOnlyBitmap64 : IEnumerable<ulong>, IEquatable<ReadOnlyBitmap64>
{
    private readonly Bitmap64 _set;

    internal ReadOnlyBitmap64(Bitmap64 set) => _set = set;

    /// <inheritdoc cref="Bitmap64.Count"/>
    public long Count => _set.Count;

    /// <inheritdoc cref="Bitmap64.IsEmpty"/>
    public bool IsEmpty => _set.IsEmpty;

    /// <inheritdoc cref="Bitmap64.BucketCount"/>
    public int BucketCount => _set.BucketCount;

    /// <inheritdoc cref="Bitmap64.Min"/>
    public ulong Min => _set.Min;

    /// <inheritdoc cref="Bitmap64.Max"/>
    public ulong Max => _set.Max;

    /// <inheritdoc cref="Bitmap64.Contains(ulong)"/>
    public bool Contains(ulong value) => _set.Contains(value);

    /// <inheritdoc cref="Bitmap64.ContainsMany(ReadOnlySpan{ulong}, Span{bool})"/>
    public void ContainsMany(ReadOnlySpan<ulong> values, Span<bool> results) => _set.ContainsMany(values, results);

    /// <inheritdoc cref="Bitmap64.Rank(ulong)"/>
    public long Rank(ulong value) => _set.Rank(value);

    /// <inheritdoc cref="Bitmap64.Select(long)"/>
    public ulong Select(long rank) => _set.Select(rank);

    /// <inheritdoc cref="Bitmap64.TrySelect(long, out ulong)"/>
    public bool TrySelect(long rank, out ulong value) => _set.TrySelect(rank, out value);

    /// <inheritdoc cref="Bitmap64.NextValue(ulong)"/>
    public ulong? NextValue(ulong value) => _set.NextValue(value);

    /// <inheritdoc cref="Bitmap64.PreviousValue(ulong)"/>
    public ulong? PreviousValue(ulong value) => _set.PreviousValue(value);

    /// <inheritdoc cref="Bitmap64.GetEnumerator"/>
    public Bitmap64.Enumerator GetEnumerator() => _set.GetEnumerator();

    IEnumerator<ulong> IEnumerable<ulong>.GetEnumerator() => GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <inheritdoc cref="Bitmap64.ForEach(Action{ReadOnlySpan{ulong}})"/>
    public void ForEach(Action<ReadOnlySpan<ulong>> action) => _set.ForEach(action);

    /// <inheritdoc cref="Bitmap64.CopyTo(Span{ulong})"/>
    public int CopyTo(Span<ulong> destination) => _set.CopyTo(destination);

    /// <inheritdoc cref="Bitmap64.ToArray"/>
    public ulong[] ToArray() => _set.ToArray();

    /// <summary>A new, owned, mutable copy of the values.</summary>
    public Bitmap64 ToBitmap64() => _set.Clone();

    /// <inheritdoc cref="Bitmap64.And(Bitmap64)"/>
    public Bitmap64 And(ReadOnlyBitmap64 other) => _set.And(Unwrap(other));

    /// <inheritdoc cref="Bitmap64.Or(Bitmap64)"/>
    public Bitmap64 Or(ReadOnlyBitmap64 other) => _set.Or(Unwrap(other));

    /// <inheritdoc cref="Bitmap64.Xor(Bitmap64)"/>
    public Bitmap64 Xor(ReadOnlyBitmap64 other) => _set.Xor(Unwrap(other));

    /// <inheritdoc cref="Bitmap64.AndNot(Bitmap64)"/>
    public Bitmap64 AndNot(ReadOnlyBitmap64 other) => _set.AndNot(Unwrap(other));

    /// <inheritdoc cref="Bitmap64.AndCount(Bitmap64)"/>
    public long AndCount(ReadOnlyBitmap64 other) => _set.AndCount(Unwrap(other));

    /// <inheritdoc cref="Bitmap64.OrCount(Bitmap64)"/>
    public long OrCount(ReadOnlyBitmap64 other) => _set.OrCount(Unwrap(other));

    /// <inheritdoc cref="Bitmap64.XorCount(Bitmap64)"/>
    public long XorCount(ReadOnlyBitmap64 other) => _set.XorCount(Unwrap(other));

    /// <inheritdoc cref="Bitmap64.AndNotCount(Bitmap64)"/>
    public long AndNotCount(ReadOnlyBitmap64 other) => _set.AndNotCount(Unwrap(other));

    /// <inheritdoc cref="Bitmap64.Intersects(Bitmap64)"/>
    public bool Intersects(ReadOnlyBitmap64 other) => _set.Intersects(Unwrap(other));

    /// <inheritdoc cref="Bitmap64.IsSubsetOf(Bitmap64)"/>
    public bool IsSubsetOf(ReadOnlyBitmap64 other) => _set.IsSubsetOf(Unwrap(other));

    /// <inheritdoc cref="Bitmap64.IsSupersetOf(Bitmap64)"/>
    public bool IsSupersetOf(ReadOnlyBitmap64 other) => _set.IsSupersetOf(Unwrap(other));

    /// <inheritdoc cref="Bitmap64.IsProperSubsetOf(Bitmap64)"/>
    public bool IsProperSubsetOf(ReadOnlyBitmap64 other) => _set.IsProperSubsetOf(Unwrap(other));

    /// <inheritdoc cref="Bitmap64.IsProperSupersetOf(Bitmap64)"/>
    public bool IsProperSupersetOf(ReadOnlyBitmap64 other) => _set.IsProperSupersetOf(Unwrap(other));

    /// <inheritdoc cref="Bitmap64.SetEquals(Bitmap64)"/>
    public bool SetEquals(ReadOnlyBitmap64 other) => _set.SetEquals(Unwrap(other));

    /// <inheritdoc cref="Bitmap64.SerializedSize"/>
    public long SerializedSize() => _set.SerializedSize();

    /// <inheritdoc cref="Bitmap64.Serialize(Span{byte})"/>
    public int Serialize(Span<byte> destination) => _set.Serialize(destination);

    /// <inheritdoc cref="Bitmap64.Serialize()"/>
    public byte[] Serialize() => _set.Serialize();

    /// <inheritdoc cref="Bitmap64.Serialize(Stream)"/>
    public void Serialize(Stream stream) => _set.Serialize(stream);

    /// <inheritdoc cref="Bitmap64.SerializeToFile(string)"/>
    public void SerializeToFile(string path) => _set.SerializeToFile(path);

    /// <summary>A new set: the values in any of <paramref name="sets"/> (see <see cref="Bitmap64.OrMany"/>).</summary>
    public static Bitmap64 OrMany(params ReadOnlySpan<ReadOnlyBitmap64> sets) => Bitmap64.OrMany(Unwrap(sets));

    /// <summary>A new set: the values in every one of <paramref name="sets"/> (empty over no input).</summary>
    public static Bitmap64 AndMany(params ReadOnlySpan<ReadOnlyBitmap64> sets) => Bitmap64.AndMany(Unwrap(sets));

    /// <summary>A new set: the values in an odd number of <paramref name="sets"/>.</summary>
    public static Bitmap64 XorMany(params ReadOnlySpan<ReadOnlyBitmap64> sets) => Bitmap64.XorMany(Unwrap(sets));

    /// <summary>True when both hold the same values.</summary>
    public bool Equals(ReadOnlyBitmap64? other) => other is not null && _set.Equals(other._set);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is ReadOnlyBitmap64 other && Equals(other);

    /// <inheritdoc cref="Bitmap64.GetHashCode"/>
    public override int GetHashCode() => _set.GetHashCode();

    /// <summary>True when both are null or hold the same values.</summary>
    public static bool operator ==(ReadOnlyBitmap64? left, ReadOnlyBitmap64? right) => left is null ? right is null : left.Equals(right);

    /// <summary>True unless both are null or hold the same values.</summary>
    public static bool operator !=(ReadOnlyBitmap64? left, ReadOnlyBitmap64? right) => !(left == right);

    /// <summary>A new set: the values in both.</summary>
    public static Bitmap64 operator &(ReadOnlyBitmap64 left, ReadOnlyBitmap64 right) => Unwrap(left) & Unwrap(right);

    /// <summary>A new set: the values in either.</summary>
    public static Bitmap64 operator |(ReadOnlyBitmap64 left, ReadOnlyBitmap64 right) => Unwrap(left) | Unwrap(right);

    /// <summary>A new set: the values in exactly one.</summary>
    public static Bitmap64 operator ^(ReadOnlyBitmap64 left, ReadOnlyBitmap64 right) => Unwrap(left) ^ Unwrap(right);

    /// <summary>A new set: the values of <paramref name="left"/> not in <paramref name="right"/>.</summary>
    public static Bitmap64 operator -(ReadOnlyBitmap64 left, ReadOnlyBitmap64 right) => Unwrap(left) - Unwrap(right);

    private static Bitmap64 Unwrap(ReadOnlyBitmap64 set)
    {
        ArgumentNullException.ThrowIfNull(set);
        return set._set;
    }

    private static Bitmap64[] Unwrap(ReadOnlySpan<ReadOnlyBitmap64> sets)
    {
        var inner = new Bitmap64[sets.Length];
        for (var i = 0; i < sets.Length; i++)
        {
            inner[i] = Unwrap(sets[i]);
        }
        return inner;
    }
}
