namespace Bitfuse.Fields;

/// <summary>
/// An int field kept bit-sliced: <c>&lt;field&gt;@exists</c> holds the columns with a value and slice
/// <c>&lt;field&gt;@bsi:i</c> holds the columns whose offset <c>value − minimum</c> has bit i set. The schema
/// (minimum, depth) lives in the descriptor bitmap <c>&lt;field&gt;@int</c> and changes only when a value falls
/// outside it: a larger one adds slices; a smaller one re-bases every stored offset.
/// Invariant: every slice below the depth is in the set (empty or not), and a column outside exists is in no slice.
/// </summary>
public sealed class IntField : Field
{
    private IntFieldSchema? _schema;

    internal IntField(FieldSet owner, string name, long? minimum)
        : base(owner, name)
    {
        owner.Bitmap(FieldNames.Exists(name));
        if (minimum is { } min)
        {
            SetSchema(new IntFieldSchema(min, 0));
        }
    }

    /// <inheritdoc />
    public override FieldKind Kind => FieldKind.Int;

    /// <summary>The minimum and depth, or null before the first value when no minimum was given.</summary>
    internal IntFieldSchema? Schema => _schema;

    /// <summary>The columns with a value.</summary>
    public Bitmap Exists => Owner.Bitmap(FieldNames.Exists(Name));

    /// <summary>Slice <paramref name="bit"/>: the columns whose offset has that bit.</summary>
    internal Bitmap Slice(int bit)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bit);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(bit, _schema?.Depth ?? 0);
        return Owner.Bitmap(FieldNames.Slice(Name, bit));
    }

    /// <summary>Sets the value of <paramref name="column"/>.</summary>
    public void Set(uint column, long value)
    {
        var schema = Fit(value, value);
        var offset = schema.OffsetOf(value);
        for (var bit = 0; bit < schema.Depth; bit++)
        {
            var slice = Owner.Bitmap(FieldNames.Slice(Name, bit));
            if ((offset >> bit & 1) != 0)
            {
                slice.Add(column);
            }
            else
            {
                slice.Remove(column);
            }
        }
        Exists.Add(column);
    }

    /// <summary>Sets the value of each of <paramref name="columns"/> (ascending, distinct) to the value at the same index.</summary>
    /// <exception cref="ArgumentException">The spans differ in length.</exception>
    public void SetMany(ReadOnlySpan<uint> columns, ReadOnlySpan<long> values)
    {
        if (columns.Length != values.Length)
        {
            throw new ArgumentException($"{columns.Length} columns and {values.Length} values", nameof(values));
        }
        if (columns.IsEmpty)
        {
            return;
        }
        var low = values[0];
        var high = values[0];
        foreach (var value in values)
        {
            low = Math.Min(low, value);
            high = Math.Max(high, value);
        }
        var schema = Fit(low, high);
        using var touched = Bitmap.FromValues(columns);
        var ones = new uint[columns.Length];
        for (var bit = 0; bit < schema.Depth; bit++)
        {
            var count = 0;
            for (var i = 0; i < columns.Length; i++)
            {
                if ((schema.OffsetOf(values[i]) >> bit & 1) != 0)
                {
                    ones[count++] = columns[i];
                }
            }
            var slice = Owner.Bitmap(FieldNames.Slice(Name, bit));
            slice.AndNotInPlace(touched);
            slice.AddMany(ones.AsSpan(0, count));
        }
        Exists.OrInPlace(touched);
    }

    /// <summary>Takes the value of <paramref name="column"/> away.</summary>
    public void Clear(uint column)
    {
        for (var bit = 0; bit < (_schema?.Depth ?? 0); bit++)
        {
            Owner.Bitmap(FieldNames.Slice(Name, bit)).Remove(column);
        }
        Exists.Remove(column);
    }

    /// <summary>The value of <paramref name="column"/>; false when it has none.</summary>
    public bool TryGet(uint column, out long value)
    {
        value = 0;
        if (_schema is null || !Exists.Contains(column))
        {
            return false;
        }
        ulong offset = 0;
        for (var bit = 0; bit < _schema.Depth; bit++)
        {
            if (Owner.Bitmap(FieldNames.Slice(Name, bit)).Contains(column))
            {
                offset |= 1UL << bit;
            }
        }
        value = (long)((ulong)_schema.Minimum + offset);
        return true;
    }

    // The schema that holds [low, high]: more slices for a larger value, a smaller minimum (and every stored
    // offset moved up by the difference) for a smaller one.
    private IntFieldSchema Fit(long low, long high)
    {
        var schema = _schema ?? new IntFieldSchema(low, 0);
        if (low < schema.Minimum)
        {
            Rebase(low);
            schema = _schema!;
        }
        var depth = IntFieldSchema.DepthFor(schema.OffsetOf(high));
        if (depth > schema.Depth || _schema is null)
        {
            schema = schema with { Depth = Math.Max(depth, schema.Depth) };
            SetSchema(schema);
        }
        return schema;
    }

    private void Rebase(long minimum)
    {
        var old = _schema!;
        var columns = Exists.ToArray();
        var offsets = new ulong[columns.Length];
        for (var bit = 0; bit < old.Depth; bit++)
        {
            foreach (var column in Owner.Bitmap(FieldNames.Slice(Name, bit)))
            {
                offsets[Array.BinarySearch(columns, column)] |= 1UL << bit;
            }
        }
        var shift = (ulong)old.Minimum - (ulong)minimum;
        var highest = 0UL;
        for (var i = 0; i < offsets.Length; i++)
        {
            offsets[i] += shift;
            highest = Math.Max(highest, offsets[i]);
        }
        var schema = new IntFieldSchema(minimum, Math.Max(old.Depth, IntFieldSchema.DepthFor(highest)));
        var ones = new uint[columns.Length];
        for (var bit = 0; bit < schema.Depth; bit++)
        {
            var count = 0;
            for (var i = 0; i < columns.Length; i++)
            {
                if ((offsets[i] >> bit & 1) != 0)
                {
                    ones[count++] = columns[i];
                }
            }
            Owner.Replace(FieldNames.Slice(Name, bit), Bitmap.FromValues(ones.AsSpan(0, count)));
        }
        SetSchema(schema);
    }

    private void SetSchema(IntFieldSchema schema)
    {
        for (var bit = _schema?.Depth ?? 0; bit < schema.Depth; bit++)
        {
            Owner.Bitmap(FieldNames.Slice(Name, bit));
        }
        _schema = schema;
        Owner.Replace(FieldNames.IntDescriptor(Name), schema.ToBitmap());
    }
}
