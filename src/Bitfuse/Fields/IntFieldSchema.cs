namespace Bitfuse.Fields;

/// <summary>
/// How an int field stores its values: as unsigned offsets <c>value − Minimum</c> below <c>2^Depth</c>, one bit
/// slice per bit. Kept in the descriptor bitmap <see cref="FieldNames.IntDescriptor"/>, which holds
/// <c>{ i : bit i of (ulong)Minimum is 1 } ∪ { 64 + Depth }</c>.
/// </summary>
/// <param name="Minimum">The value stored as offset 0.</param>
/// <param name="Depth">The number of bit slices, 0..64 (0: every stored value equals the minimum).</param>
internal sealed record IntFieldSchema(long Minimum, int Depth)
{
    /// <summary>The largest value the slices can hold (at most <see cref="long.MaxValue"/>).</summary>
    public long Maximum => (long)Int128.Min((Int128)Minimum + ((Int128.One << Depth) - 1), long.MaxValue);

    /// <summary>The descriptor bitmap of this schema. The caller disposes it.</summary>
    public Bitmap ToBitmap()
    {
        var bitmap = new Bitmap();
        var bits = (ulong)Minimum;
        for (var i = 0; i < 64; i++)
        {
            if ((bits >> i & 1) != 0)
            {
                bitmap.Add((uint)i);
            }
        }
        bitmap.Add(64 + (uint)Depth);
        return bitmap;
    }

    /// <summary>Reads a descriptor bitmap of field <paramref name="field"/>.</summary>
    /// <exception cref="InvalidDataException">The bitmap is not a descriptor (no depth, two depths, a depth over 64).</exception>
    public static IntFieldSchema FromBitmap(string field, Bitmap descriptor)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        ulong bits = 0;
        var depth = -1;
        foreach (var value in descriptor)
        {
            if (value < 64)
            {
                bits |= 1UL << (int)value;
            }
            else if (value <= 128 && depth < 0)
            {
                depth = (int)value - 64;
            }
            else
            {
                throw new InvalidDataException($"the descriptor '{FieldNames.IntDescriptor(field)}' of int field '{field}' holds {value}: not a bit of the minimum or a single depth of 0..64");
            }
        }
        if (depth < 0)
        {
            throw new InvalidDataException($"the descriptor '{FieldNames.IntDescriptor(field)}' of int field '{field}' has no depth");
        }
        return new IntFieldSchema((long)bits, depth);
    }

    /// <summary>The offset of <paramref name="value"/>, which must be at least <see cref="Minimum"/>.</summary>
    public ulong OffsetOf(long value) => (ulong)value - (ulong)Minimum;

    /// <summary>The slices needed to hold offset <paramref name="offset"/>.</summary>
    public static int DepthFor(ulong offset) => 64 - System.Numerics.BitOperations.LeadingZeroCount(offset);
}
