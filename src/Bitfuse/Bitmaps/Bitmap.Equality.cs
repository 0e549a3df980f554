namespace Bitfuse;

public sealed partial class Bitmap : IEquatable<Bitmap>
{
    /// <summary>True when both hold the same values (container kinds may differ), as <see cref="SetEquals(Bitmap)"/>.</summary>
    public bool Equals(Bitmap? other) => other is not null && (ReferenceEquals(this, other) || SetEquals(other));

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is Bitmap other && Equals(other);

    /// <summary>
    /// A hash of the values: equal bitmaps hash equal whatever their container kinds. It changes when the
    /// bitmap changes, so a bitmap used as a dictionary key must not change meanwhile.
    /// </summary>
    public override int GetHashCode()
    {
        ThrowIfDisposed();
        var hash = new HashCode();
        hash.Add(_count);
        for (var i = 0; i < _size; i++)
        {
            hash.Add(_keys[i]);
            hash.Add(_containers[i].Cardinality);
            hash.Add(_containers[i].Min);
            hash.Add(_containers[i].Max);
        }
        return hash.ToHashCode();
    }

    /// <summary>True when both are null or hold the same values.</summary>
    public static bool operator ==(Bitmap? left, Bitmap? right) => left is null ? right is null : left.Equals(right);

    /// <summary>True unless both are null or hold the same values.</summary>
    public static bool operator !=(Bitmap? left, Bitmap? right) => !(left == right);

    /// <summary>A new bitmap: the values in both (<see cref="And"/>).</summary>
    public static Bitmap operator &(Bitmap left, Bitmap right) => NotNull(left).And(right);

    /// <summary>A new bitmap: the values in either (<see cref="Or"/>).</summary>
    public static Bitmap operator |(Bitmap left, Bitmap right) => NotNull(left).Or(right);

    /// <summary>A new bitmap: the values in exactly one (<see cref="Xor"/>).</summary>
    public static Bitmap operator ^(Bitmap left, Bitmap right) => NotNull(left).Xor(right);

    /// <summary>A new bitmap: the values of <paramref name="left"/> not in <paramref name="right"/> (<see cref="AndNot"/>).</summary>
    public static Bitmap operator -(Bitmap left, Bitmap right) => NotNull(left).AndNot(right);

    private static Bitmap NotNull(Bitmap bitmap)
    {
        ArgumentNullException.ThrowIfNull(bitmap);
        return bitmap;
    }
}
