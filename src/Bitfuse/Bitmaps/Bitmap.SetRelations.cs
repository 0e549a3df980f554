namespace Bitfuse;

/// <summary>
/// <see cref="IReadOnlySet{T}"/>: every relation has a <see cref="Bitmap"/> overload that compares container by
/// container; the <see cref="IEnumerable{T}"/> overloads take that path when handed a bitmap (or a
/// <see cref="ReadOnlyBitmap"/>) and otherwise
/// build a temporary bitmap of the other side's values first.
/// </summary>
public sealed partial class Bitmap : IReadOnlySet<uint>
{
    /// <summary>The number of values as an <see cref="int"/>; throws when the bitmap holds more than <see cref="int.MaxValue"/>.</summary>
    int IReadOnlyCollection<uint>.Count
    {
        get
        {
            var count = Count;
            return count <= int.MaxValue
                ? (int)count
                : throw new InvalidOperationException($"The bitmap holds {count} values, more than an int can count; use Bitmap.Count.");
        }
    }

    /// <summary>True when every value of <paramref name="other"/> is in this bitmap.</summary>
    public bool IsSupersetOf(Bitmap other)
    {
        ThrowIfDisposed(other);
        return other.IsSubsetOf(this);
    }

    /// <summary>True when this bitmap is a subset of <paramref name="other"/> and <paramref name="other"/> holds more values.</summary>
    public bool IsProperSubsetOf(Bitmap other)
    {
        ThrowIfDisposed(other);
        return _count < other._count && IsSubsetOf(other);
    }

    /// <summary>True when <paramref name="other"/> is a subset of this bitmap and this bitmap holds more values.</summary>
    public bool IsProperSupersetOf(Bitmap other)
    {
        ThrowIfDisposed(other);
        return other.IsProperSubsetOf(this);
    }

    /// <summary>True when every value of this bitmap is in <paramref name="other"/>.</summary>
    public bool IsSubsetOf(IEnumerable<uint> other) => Relate(other, static (a, b) => a.IsSubsetOf(b));

    /// <summary>True when every value of <paramref name="other"/> is in this bitmap.</summary>
    public bool IsSupersetOf(IEnumerable<uint> other) => Relate(other, static (a, b) => a.IsSupersetOf(b));

    /// <summary>True when this bitmap is a subset of <paramref name="other"/> and <paramref name="other"/> holds more distinct values.</summary>
    public bool IsProperSubsetOf(IEnumerable<uint> other) => Relate(other, static (a, b) => a.IsProperSubsetOf(b));

    /// <summary>True when <paramref name="other"/> is a subset of this bitmap and this bitmap holds more values.</summary>
    public bool IsProperSupersetOf(IEnumerable<uint> other) => Relate(other, static (a, b) => a.IsProperSupersetOf(b));

    /// <summary>True when the two share at least one value (<see cref="Intersects"/>).</summary>
    public bool Overlaps(IEnumerable<uint> other) => Relate(other, static (a, b) => a.Intersects(b));

    /// <summary>True when both hold exactly the same distinct values.</summary>
    public bool SetEquals(IEnumerable<uint> other) => Relate(other, static (a, b) => a.SetEquals(b));

    private bool Relate(IEnumerable<uint> other, Func<Bitmap, Bitmap, bool> relation)
    {
        ArgumentNullException.ThrowIfNull(other);
        ThrowIfDisposed();
        if (other is Bitmap bitmap)
        {
            return relation(this, bitmap);
        }
        if (other is ReadOnlyBitmap view)
        {
            return relation(this, view.Inner);
        }
        using var values = FromValues(other);
        return relation(this, values);
    }
}
