using System.Collections;
using System.Globalization;

namespace Bitfuse;

/// <summary>
/// Named bitmaps: the inputs of a query, or a data set loaded from a folder. Names are case-sensitive and keep
/// the order they were added in. A set made by <see cref="LoadFolder"/> owns its bitmaps and disposes them
/// with itself; a set filled by the caller does not (the caller disposes its bitmaps). A set may also be
/// backed by a resolver the caller supplies (a database, a folder of files), asked for names it does not hold:
/// the query engine never opens anything itself.
/// </summary>
public sealed class BitmapSet : IReadOnlyDictionary<string, Bitmap>, IDisposable
{
    private readonly Dictionary<string, Bitmap> _byName = new(StringComparer.Ordinal);
    private readonly List<string> _names = [];
    private readonly Func<string, Bitmap?>? _resolve;
    private readonly Func<IEnumerable<string>>? _knownNames;
    private bool _ownsBitmaps;
    private long _version = NextVersion();

    // One counter for every set, so a version names one state of one set: a cache keyed by it alone can never
    // take one set's bitmaps for another's.
    private static long s_versions;

    /// <summary>An empty set to fill with the indexer or <see cref="Add"/>.</summary>
    public BitmapSet()
    {
    }

    /// <summary>
    /// A set that asks <paramref name="resolve"/> for each name it does not hold (null: unknown);
    /// <paramref name="knownNames"/> lists the resolver's names for the suggestions of an unknown-name error.
    /// </summary>
    public BitmapSet(Func<string, Bitmap?> resolve, Func<IEnumerable<string>>? knownNames = null)
        : this(resolve, knownNames, resolverAnswersFixed: false)
    {
    }

    /// <summary>
    /// A set backed by <paramref name="resolve"/>, as above; when <paramref name="resolverAnswersFixed"/>, the resolver
    /// gives the same bitmap for a name for as long as the set lives (an immutable snapshot), so a compiled query may
    /// keep what it resolved under the set's <see cref="Version"/>. Dispose such a set when its bitmaps go: that
    /// changes the version, so nothing kept is handed out again.
    /// </summary>
    public BitmapSet(Func<string, Bitmap?> resolve, Func<IEnumerable<string>>? knownNames, bool resolverAnswersFixed)
    {
        ArgumentNullException.ThrowIfNull(resolve);
        _resolve = resolve;
        _knownNames = knownNames;
        ResolverAnswersFixed = resolverAnswersFixed;
    }

    /// <summary>True when the resolver's answers never change while the set lives (see the constructor).</summary>
    public bool ResolverAnswersFixed { get; }

    /// <summary>The bitmap called <paramref name="name"/>; setting replaces or adds it.</summary>
    /// <exception cref="UnknownBitmapException">No bitmap has that name (the message lists the nearest names).</exception>
    public Bitmap this[string name]
    {
        get => Resolve(name);
        set
        {
            ArgumentNullException.ThrowIfNull(name);
            ArgumentNullException.ThrowIfNull(value);
            if (!_byName.ContainsKey(name))
            {
                _names.Add(name);
            }
            _byName[name] = value;
            _version = NextVersion();
        }
    }

    /// <summary>
    /// The version of the set's contents: it changes on every add, replace, remove or clear, and no two sets in
    /// the process share one, so a cache of resolved names keyed by it never serves a stale or foreign bitmap.
    /// Bitmaps supplied by the resolver are not covered (the set cannot see them change).
    /// </summary>
    public long Version => Volatile.Read(ref _version);

    /// <summary>True when the set asks a resolver for names it does not hold.</summary>
    public bool HasResolver => _resolve is not null;

    /// <summary>The names in the order they were added (for a loaded folder: the numeric order of the file names).</summary>
    public IReadOnlyList<string> Names => _names;

    /// <summary>How many bitmaps.</summary>
    public int Count => _names.Count;

    /// <summary>The names, in order.</summary>
    public IEnumerable<string> Keys => _names;

    /// <summary>The bitmaps, in name order.</summary>
    public IEnumerable<Bitmap> Values => _names.Select(n => _byName[n]);

    /// <summary>Adds a bitmap under a new name.</summary>
    public void Add(string name, Bitmap bitmap)
    {
        if (_byName.ContainsKey(name))
        {
            throw new ArgumentException($"A bitmap named '{name}' is already in the set.", nameof(name));
        }
        this[name] = bitmap;
    }

    /// <summary>Removes the bitmap called <paramref name="name"/> (not disposing it); false when the set does not hold that name.</summary>
    public bool Remove(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (!_byName.Remove(name))
        {
            return false;
        }
        _names.Remove(name);
        _version = NextVersion();
        return true;
    }

    /// <summary>True when a bitmap has that name.</summary>
    public bool ContainsKey(string key) => _byName.ContainsKey(key);

    /// <summary>Looks a bitmap up by name among the bitmaps added to the set (the resolver is not asked).</summary>
    public bool TryGetValue(string key, [System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out Bitmap value) => _byName.TryGetValue(key, out value);

    /// <summary>Looks <paramref name="name"/> up among the added bitmaps, then asks the resolver; false when neither knows it.</summary>
    public bool TryGet(string name, [System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out Bitmap bitmap)
    {
        if (_byName.TryGetValue(name, out bitmap))
        {
            return true;
        }
        bitmap = _resolve?.Invoke(name);
        return bitmap is not null;
    }

    /// <summary>The bitmap called <paramref name="name"/>, or an <see cref="UnknownBitmapException"/> naming the closest known names.</summary>
    public Bitmap Resolve(string name)
    {
        if (TryGet(name, out var bitmap))
        {
            return bitmap;
        }
        IEnumerable<string> known = _knownNames is null ? _names : _names.Concat(_knownNames());
        throw new UnknownBitmapException(name, UnknownBitmapException.Closest(name, known));
    }

    /// <summary>The (name, bitmap) pairs in order.</summary>
    public IEnumerator<KeyValuePair<string, Bitmap>> GetEnumerator()
    {
        foreach (var name in _names)
        {
            yield return new KeyValuePair<string, Bitmap>(name, _byName[name]);
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>
    /// Loads a data set: every <c>*.txt</c> file of <paramref name="folder"/> is one bitmap in the text form
    /// of <see cref="BitmapText"/>, named after the file without its extension, in the numeric order of the
    /// number the name ends with (csv0, csv1, csv2, ...).
    /// </summary>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    /// <exception cref="InvalidDataException">A file is not in the text form.</exception>
    public static BitmapSet LoadFolder(string folder)
    {
        if (!Directory.Exists(folder))
        {
            throw new DirectoryNotFoundException($"No data-set folder at '{folder}'.");
        }
        var files = Directory.GetFiles(folder, "*.txt");
        Array.Sort(files, CompareNumerically);
        var set = new BitmapSet { _ownsBitmaps = true };
        try
        {
            foreach (var file in files)
            {
                set.Add(Path.GetFileNameWithoutExtension(file), BitmapText.Load(file));
            }
        }
        catch
        {
            set.Dispose();
            throw;
        }
        return set;
    }

    /// <summary>Disposes the bitmaps when the set owns them (it was made by <see cref="LoadFolder"/>).</summary>
    public void Dispose()
    {
        if (_ownsBitmaps)
        {
            foreach (var bitmap in _byName.Values)
            {
                bitmap.Dispose();
            }
        }
        _byName.Clear();
        _names.Clear();
        _version = NextVersion();
    }

    private static long NextVersion() => Interlocked.Increment(ref s_versions);

    private static int CompareNumerically(string a, string b)
    {
        var na = TrailingNumber(Path.GetFileNameWithoutExtension(a));
        var nb = TrailingNumber(Path.GetFileNameWithoutExtension(b));
        return na != nb ? na.CompareTo(nb) : StringComparer.Ordinal.Compare(a, b);
    }

    private static long TrailingNumber(string name)
    {
        var end = name.Length;
        var start = end;
        while (start > 0 && char.IsAsciiDigit(name[start - 1]))
        {
            start--;
        }
        return start < end && end - start <= 18 ? long.Parse(name.AsSpan(start, end - start), NumberStyles.None, CultureInfo.InvariantCulture) : -1;
    }
}
