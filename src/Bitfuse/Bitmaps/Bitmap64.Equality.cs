namespace Bitfuse;

/// <summary>Value equality, the set relations beyond <see cref="IsSubsetOf"/>, and the operators, as on <see cref="Bitmap"/>.</summary>
public sealed partial class Bitmap64 : IEquatable<Bitmap64>
{
    /// <summary>True when <paramref name="other"/> holds the same values.</summary>
    public bool Equals(Bitmap64? other) => other is not null && (ReferenceEquals(this, other) || SetEquals(other));

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is Bitmap64 other && Equals(other);

    /// <summary>A hash of the values (equal sets hash equally whatever their container kinds).</summary>
    public override int GetHashCode()
    {
        ThrowIfDisposed();
        var hash = new HashCode();
        hash.Add(_count);
        for (var i = 0; i < _size; i++)
        {
            hash.Add(_highs[i]);
            hash.Add(_buckets[i].GetHashCode());
        }
        return hash.ToHashCode();
    }

    /// <summary>True when every value of <paramref name="other"/> is in this set.</summary>
    public bool IsSupersetOf(Bitmap64 other)
    {
        ThrowIfDisposed(other);
        return other.IsSubsetOf(this);
    }

    /// <summary>True when this set is a subset of <paramref name="other"/> and smaller.</summary>
    public bool IsProperSubsetOf(Bitmap64 other)
    {
        ThrowIfDisposed(other);
        return _count < other._count && IsSubsetOf(other);
    }

    /// <summary>True when this set is a superset of <paramref name="other"/> and larger.</summary>
    public bool IsProperSupersetOf(Bitmap64 other)
    {
        ThrowIfDisposed(other);
        return other.IsProperSubsetOf(this);
    }

    /// <summary>True when both hold the same values (null equals only null).</summary>
    public static bool operator ==(Bitmap64? left, Bitmap64? right) => left is null ? right is null : left.Equals(right);

    /// <summary>True when the values differ.</summary>
    public static bool operator !=(Bitmap64? left, Bitmap64? right) => !(left == right);

    /// <summary>A new set: the values in both (<see cref="And"/>).</summary>
    public static Bitmap64 operator &(Bitmap64 left, Bitmap64 right) => NotNull(left).And(right);

    /// <summary>A new set: the values in either (<see cref="Or"/>).</summary>
    public static Bitmap64 operator |(Bitmap64 left, Bitmap64 right) => NotNull(left).Or(right);

    /// <summary>A new set: the values in exactly one (<see cref="Xor"/>).</summary>
    public static Bitmap64 operator ^(Bitmap64 left, Bitmap64 right) => NotNull(left).Xor(right);

    /// <summary>A new set: the values of <paramref name="left"/> not in <paramref name="right"/> (<see cref="AndNot"/>).</summary>
    public static Bitmap64 operator -(Bitmap64 left, Bitmap64 right) => NotNull(left).AndNot(right);

    private static Bitmap64 NotNull(Bitmap64 set)
    {
        ArgumentNullException.ThrowIfNull(set);
        return set;
    }
}
