namespace Bitfuse.Fields;

/// <summary>
/// Typed fields in memory. The fields write their bitmaps, named by the <see cref="FieldNames"/> convention,
/// into <see cref="Bitmaps"/>, which queries run over like any other set (ranges, aggregates and plain names
/// alike). The set owns those bitmaps and disposes them with itself. Single writer; queries may run between
/// writes, not during them.
/// </summary>
public sealed class FieldSet : IDisposable
{
    private readonly Dictionary<string, Field> _fields = new(StringComparer.Ordinal);
    private readonly List<Field> _ordered = [];

    /// <summary>The named bitmaps of every field: the input of queries.</summary>
    public BitmapSet Bitmaps { get; } = new();

    /// <summary>The fields in the order they were made.</summary>
    public IReadOnlyList<Field> Fields => _ordered;

    /// <summary>The field called <paramref name="name"/>, or null.</summary>
    public Field? Find(string name) => _fields.GetValueOrDefault(name);

    /// <summary>The set field called <paramref name="name"/>, made when new.</summary>
    /// <exception cref="ArgumentException">A field of another kind has that name, or the name is not a field name.</exception>
    public SetField Set(string name) => GetOrAdd(name, FieldKind.Set, () => new SetField(this, name, mutex: false));

    /// <summary>The mutex field called <paramref name="name"/>, made when new.</summary>
    /// <exception cref="ArgumentException">A field of another kind has that name, or the name is not a field name.</exception>
    public SetField Mutex(string name) => GetOrAdd(name, FieldKind.Mutex, () => new SetField(this, name, mutex: true));

    /// <summary>The bool field called <paramref name="name"/>, made when new.</summary>
    /// <exception cref="ArgumentException">A field of another kind has that name, or the name is not a field name.</exception>
    public BoolField Bool(string name) => GetOrAdd(name, FieldKind.Bool, () => new BoolField(this, name));

    /// <summary>
    /// The int field called <paramref name="name"/>, made when new with <paramref name="minimum"/> as the value of
    /// offset 0 (null: the first value stored). A smaller value later re-bases every stored offset.
    /// </summary>
    /// <exception cref="ArgumentException">A field of another kind has that name, or the name is not a field name.</exception>
    public IntField Int(string name, long? minimum = null) => GetOrAdd(name, FieldKind.Int, () => new IntField(this, name, minimum));

    /// <summary>Disposes every bitmap of every field.</summary>
    public void Dispose()
    {
        foreach (var bitmap in Bitmaps.Values)
        {
            bitmap.Dispose();
        }
        Bitmaps.Dispose();
        _fields.Clear();
        _ordered.Clear();
    }

    /// <summary>The bitmap called <paramref name="name"/>, added empty when the set has none.</summary>
    internal Bitmap Bitmap(string name)
    {
        if (!Bitmaps.TryGetValue(name, out var bitmap))
        {
            bitmap = new Bitmap();
            Bitmaps.Add(name, bitmap);
        }
        return bitmap;
    }

    /// <summary>Puts <paramref name="bitmap"/> under <paramref name="name"/>, disposing the bitmap it replaces.</summary>
    internal void Replace(string name, Bitmap bitmap)
    {
        Bitmaps.TryGetValue(name, out var old);
        Bitmaps[name] = bitmap;
        if (old is not null && !ReferenceEquals(old, bitmap))
        {
            old.Dispose();
        }
    }

    private T GetOrAdd<T>(string name, FieldKind kind, Func<T> make)
        where T : Field
    {
        FieldNames.Validate(name);
        if (_fields.TryGetValue(name, out var existing))
        {
            return existing.Kind == kind && existing is T typed
                ? typed
                : throw new ArgumentException($"field '{name}' is a {existing.Kind} field, not a {kind} field", nameof(name));
        }
        var field = make();
        _fields.Add(name, field);
        _ordered.Add(field);
        return field;
    }
}
