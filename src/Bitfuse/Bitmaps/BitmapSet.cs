using System.Collections;
using System.Globalization;

namespace Bitfuse;

/// <summary>
/// Named bitmaps: the inputs of a query, or a data set loaded from a folder. Names are case-sensitive and keep
/// the order they were added in.
/// <para>
/// One lookup rule: every lookup (the indexer, <see cref="TryGetValue"/>, <see cref="ContainsKey"/>,
/// <see cref="Resolve"/>) looks among the added bitmaps first, then asks the resolver, when the set has one
/// (a database, a folder of files): the query engine never opens anything itself.
/// </para>
/// <para>
/// Ownership is chosen when the set is made and never changes. A set made with <c>ownsBitmaps: true</c> (and
/// every set <see cref="LoadFolder"/> makes) owns the bitmaps added to it: one that is replaced or removed is
/// disposed then, the rest when the set is disposed. Any other set never disposes a bitmap. Bitmaps a resolver
/// supplies, and read-only bitmaps added with <see cref="Add(string, ReadOnlyBitmap)"/>, are never owned by the set.
/// </para>
/// </summary>
public sealed class BitmapSet : IReadOnlyDictionary<string, Bitmap>, IDisposable
{
    private readonly Dictionary<string, Bitmap> _byName = new(StringComparer.Ordinal);
    private readonly List<string> _names = [];

    // Names whose bitmap was added as a ReadOnlyBitmap: borrowed, so never disposed even by an owning set.
    private HashSet<string>? _borrowed;
    private readonly Func<string, Bitmap?>? _resolve;
    private readonly Func<IEnumerable<string>>? _knownNames;
    private readonly IVersionedNames? _versioned;
    private readonly bool _ownsBitmaps;
    private long _version = NextVersion();

    // One counter for every set, so a version names one state of one set: a cache keyed by it alone can never
    // take one set's bitmaps for another's.
    private static long s_versions;

    /// <summary>An empty set to fill with the indexer or <see cref="Add(string, Bitmap)"/>; it does not own the bitmaps (the caller disposes them).</summary>
    public BitmapSet()
    {
    }

    /// <summary>An empty set that, when <paramref name="ownsBitmaps"/> is true, disposes the bitmaps added to it when they leave it.</summary>
    public BitmapSet(bool ownsBitmaps)
    {
        _ownsBitmaps = ownsBitmaps;
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
    internal BitmapSet(Func<string, Bitmap?> resolve, Func<IEnumerable<string>>? knownNames, bool resolverAnswersFixed)
    {
        ArgumentNullException.ThrowIfNull(resolve);
        _resolve = resolve;
        _knownNames = knownNames;
        ResolverAnswersFixed = resolverAnswersFixed;
    }

    /// <summary>
    /// A set backed by one version of a versioned name table (a database snapshot): its answers are fixed for as
    /// long as the set lives, and a compiled query may carry what it resolved over to later versions of the same
    /// lineage through the names' change stamps (see <see cref="IVersionedNames"/>).
    /// </summary>
    internal BitmapSet(IVersionedNames versioned)
    {
        ArgumentNullException.ThrowIfNull(versioned);
        _versioned = versioned;
        ResolverAnswersFixed = true;
    }

    /// <summary>True when the resolver's answers never change while the set lives (see the constructor).</summary>
    internal bool ResolverAnswersFixed { get; }

    /// <summary>The versioned resolver, when the set was made over one; the set's own added bitmaps come first.</summary>
    internal IVersionedNames? Versioned => _versioned;

    /// <summary>The bitmap called <paramref name="name"/>; setting replaces or adds it.</summary>
    /// <exception cref="UnknownBitmapException">No bitmap has that name (the message lists the nearest names).</exception>
    public Bitmap this[string name]
    {
        get => Resolve(name);
        set
        {
            ArgumentNullException.ThrowIfNull(name);
            ArgumentNullException.ThrowIfNull(value);
            Put(name, value, borrowed: false);
        }
    }

    /// <summary>
    /// The version of the set's contents: it changes on every add, replace, remove or clear, and no two sets in
    /// the process share one, so a cache of resolved names keyed by it never serves a stale or foreign bitmap.
    /// Bitmaps supplied by the resolver are not covered (the set cannot see them change).
    /// </summary>
    public long Version => Volatile.Read(ref _version);

    /// <summary>True when the set disposes the bitmaps added to it (see the class remarks).</summary>
    public bool OwnsBitmaps => _ownsBitmaps;

    /// <summary>True when the set asks a resolver for names it does not hold.</summary>
    public bool HasResolver => _resolve is not null || _versioned is not null;

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

    /// <summary>
    /// Adds a read-only bitmap under a new name, so queries and lookups read it in place (a snapshot's bitmap, a
    /// view over serialized bytes). The set never disposes it, whether or not it owns its other bitmaps; lookups
    /// hand out the bitmap it wraps, which callers must treat as read-only.
    /// </summary>
    public void Add(string name, ReadOnlyBitmap bitmap)
    {
        ArgumentNullException.ThrowIfNull(bitmap);
        if (_byName.ContainsKey(name))
        {
            throw new ArgumentException($"A bitmap named '{name}' is already in the set.", nameof(name));
        }
        Put(name, bitmap.Inner, borrowed: true);
    }

    private void Put(string name, Bitmap value, bool borrowed)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(value);
        if (!_byName.TryGetValue(name, out var old))
        {
            _names.Add(name);
        }
        else if (!ReferenceEquals(old, value))
        {
            DisposeIfOwned(name, old);
        }
        _byName[name] = value;
        if (borrowed)
        {
            (_borrowed ??= new HashSet<string>(StringComparer.Ordinal)).Add(name);
        }
        else
        {
            _borrowed?.Remove(name);
        }
        _version = NextVersion();
    }

    private void DisposeIfOwned(string name, Bitmap bitmap)
    {
        if (_ownsBitmaps && _borrowed?.Contains(name) != true)
        {
            bitmap.Dispose();
        }
    }

    /// <summary>
    /// Removes the bitmap added under <paramref name="name"/>, disposing it when the set owns it; false when no
    /// bitmap was added under that name (a resolver's names cannot be removed).
    /// </summary>
    public bool Remove(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (!_byName.Remove(name, out var removed))
        {
            return false;
        }
        DisposeIfOwned(name, removed);
        _borrowed?.Remove(name);
        _names.Remove(name);
        _version = NextVersion();
        return true;
    }

    /// <summary>True when a lookup of <paramref name="key"/> finds a bitmap (added, or from the resolver).</summary>
    public bool ContainsKey(string key) => TryGetValue(key, out _);

    /// <summary>Looks <paramref name="key"/> up among the added bitmaps, then asks the resolver; false when neither knows it.</summary>
    public bool TryGetValue(string key, [System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out Bitmap value)
    {
        value = Find(key, out _);
        return value is not null;
    }

    // The one lookup rule: the added bitmaps, then the resolver (with the name's change stamp when it is versioned).
    private Bitmap? Find(string name, out NameChangeStamp? stamp)
    {
        ArgumentNullException.ThrowIfNull(name);
        stamp = null;
        if (_byName.TryGetValue(name, out var bitmap))
        {
            return bitmap;
        }
        return _versioned is not null ? _versioned.Resolve(name, out stamp) : _resolve?.Invoke(name);
    }

    /// <summary>
    /// Looks <paramref name="name"/> up among the added bitmaps only. Their state is what <see cref="Version"/>
    /// stamps, so a query may cache what this finds; a resolver's answer it must ask for again on every run.
    /// </summary>
    internal bool TryGetAdded(string name, [System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out Bitmap bitmap) => _byName.TryGetValue(name, out bitmap);

    /// <summary>The bitmap called <paramref name="name"/>, or an <see cref="UnknownBitmapException"/> naming the closest known names.</summary>
    public Bitmap Resolve(string name) => ResolveStamped(name, out _);

    /// <summary>
    /// <see cref="Resolve(string)"/>, also giving the name's change stamp when the versioned resolver answered (null for
    /// an added bitmap or a plain resolver's).
    /// </summary>
    internal Bitmap ResolveStamped(string name, out NameChangeStamp? stamp) =>
        Find(name, out stamp) ?? throw new UnknownBitmapException(name, UnknownBitmapException.Closest(name, KnownNames));

    /// <summary>
    /// Every name a lookup can find that the set can list: the added names in order, then the names the resolver
    /// lists (a database snapshot lists all of its names) that were not added. Fields find their rows here.
    /// </summary>
    internal IEnumerable<string> KnownNames => (_versioned?.Names ?? _knownNames?.Invoke()) is { } listed ? _names.Concat(listed.Where(n => !_byName.ContainsKey(n))) : _names;

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
    /// Loads a data set into a set that owns its bitmaps: every <c>*.txt</c> file of <paramref name="folder"/>
    /// is one bitmap in the text form of <see cref="BitmapText"/>, in the numeric order of the number the file
    /// name ends with (csv0, csv1, csv2, ...). A bitmap is named by <paramref name="name"/>, given the file name
    /// without its extension; by default the name is that file name.
    /// </summary>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    /// <exception cref="InvalidDataException">A file is not in the text form.</exception>
    /// <exception cref="ArgumentException"><paramref name="name"/> gave two files the same name.</exception>
    public static BitmapSet LoadFolder(string folder, Func<string, string>? name = null)
    {
        if (!Directory.Exists(folder))
        {
            throw new DirectoryNotFoundException($"No data-set folder at '{folder}'.");
        }
        var files = Directory.GetFiles(folder, "*.txt");
        Array.Sort(files, CompareNumerically);
        var set = new BitmapSet(ownsBitmaps: true);
        try
        {
            foreach (var file in files)
            {
                var stem = Path.GetFileNameWithoutExtension(file);
                var bitmapName = name is null ? stem : name(stem);
                if (set._byName.ContainsKey(bitmapName))
                {
                    throw new ArgumentException($"Two files of '{folder}' are both named {NameText.Quote(bitmapName)}.", nameof(name));
                }
                set.Add(bitmapName, BitmapText.Load(file));
            }
        }
        catch
        {
            set.Dispose();
            throw;
        }
        return set;
    }

    /// <summary>Disposes the added bitmaps when the set owns them, and empties the set.</summary>
    public void Dispose()
    {
        foreach (var (name, bitmap) in _byName)
        {
            DisposeIfOwned(name, bitmap);
        }
        _byName.Clear();
        _borrowed?.Clear();
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
