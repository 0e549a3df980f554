using System.Collections;

namespace Bitfuse;

/// <summary>
/// The bitmaps a query reads, by name. Either a dictionary filled by the caller
/// (<c>new BitmapSet { ["ios"] = ios }</c>) or a resolver function the caller supplies (a database, a
/// folder of files): the query engine never opens anything itself. The set does not own the bitmaps.
/// </summary>
public sealed class BitmapSet : IEnumerable<KeyValuePair<string, Bitmap>>
{
    private readonly Dictionary<string, Bitmap> _bitmaps = new(StringComparer.Ordinal);
    private readonly Func<string, Bitmap?>? _resolve;
    private readonly Func<IEnumerable<string>>? _names;

    /// <summary>An empty set to fill with the indexer.</summary>
    public BitmapSet()
    {
    }

    /// <summary>A set that asks <paramref name="resolve"/> for each name (null: unknown); <paramref name="names"/> lists known names for error messages.</summary>
    public BitmapSet(Func<string, Bitmap?> resolve, Func<IEnumerable<string>>? names = null)
    {
        ArgumentNullException.ThrowIfNull(resolve);
        _resolve = resolve;
        _names = names;
    }

    /// <summary>The bitmap called <paramref name="name"/>; setting adds or replaces it.</summary>
    /// <exception cref="UnknownBitmapException">Getting a name the set does not know.</exception>
    public Bitmap this[string name]
    {
        get => Resolve(name);
        set
        {
            ArgumentException.ThrowIfNullOrEmpty(name);
            ArgumentNullException.ThrowIfNull(value);
            _bitmaps[name] = value;
        }
    }

    /// <summary>How many bitmaps were added with the indexer.</summary>
    public int Count => _bitmaps.Count;

    /// <summary>Looks <paramref name="name"/> up without throwing.</summary>
    public bool TryGet(string name, out Bitmap bitmap)
    {
        if (_bitmaps.TryGetValue(name, out bitmap!))
        {
            return true;
        }
        var resolved = _resolve?.Invoke(name);
        bitmap = resolved!;
        return resolved is not null;
    }

    /// <summary>The bitmap called <paramref name="name"/>, or an <see cref="UnknownBitmapException"/> naming the closest known names.</summary>
    public Bitmap Resolve(string name)
    {
        if (TryGet(name, out var bitmap))
        {
            return bitmap;
        }
        var known = new List<string>(_bitmaps.Keys);
        if (_names is not null)
        {
            known.AddRange(_names());
        }
        throw new UnknownBitmapException(name, UnknownBitmapException.Closest(name, known));
    }

    /// <inheritdoc />
    public IEnumerator<KeyValuePair<string, Bitmap>> GetEnumerator() => _bitmaps.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
