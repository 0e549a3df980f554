using Bitfuse.Persistence;

namespace Bitfuse;

/// <summary>
/// One committed version of a database, read-only and unchanging while commits land: every query over it sees
/// exactly that version from its first container to its last. Queries take it wherever they take a
/// <see cref="BitmapSet"/> (it converts implicitly). Any number of threads may read one snapshot at once.
/// Dispose it to let the memory of replaced bitmaps go; bitmaps taken from it are valid until then.
/// </summary>
public sealed class Snapshot : IDisposable, IVersionedNames
{
    private readonly Database _database;
    private readonly BitmapSet _bitmaps;
    private int _disposed;

    internal Snapshot(Database database, DatabaseVersion version)
    {
        _database = database;
        Version = version;
        // The version never changes, so compiled queries may keep the bitmaps they resolved (until Dispose), and carry
        // them to a later snapshot while the names' change stamps hold (IVersionedNames).
        _bitmaps = new BitmapSet(this);
    }

    internal DatabaseVersion Version { get; }

    /// <summary>The last commit this snapshot includes.</summary>
    public long Lsn => Version.Lsn;

    /// <summary>The names, in ordinal order.</summary>
    public IEnumerable<string> Names => Version.Names;

    /// <summary>How many names.</summary>
    public int Count => Version.Count;

    /// <summary>True when a bitmap has that name.</summary>
    public bool Contains(string name) => Version.Find(name) is not null;

    /// <summary>The bitmap called <paramref name="name"/> (read-only; valid until the snapshot is disposed).</summary>
    /// <exception cref="UnknownBitmapException">No bitmap has that name (the message lists the nearest).</exception>
    /// <exception cref="DatabaseCorruptException">Its stored bytes are corrupt.</exception>
    public Bitmap this[string name] => _bitmaps[name];

    /// <summary>
    /// The bitmap called <paramref name="name"/> as a <see cref="ReadOnlyBitmap"/>, the type without mutators. The
    /// snapshot owns it: valid until the snapshot is disposed; disposing the wrapper does nothing.
    /// </summary>
    /// <exception cref="UnknownBitmapException">No bitmap has that name (the message lists the nearest).</exception>
    /// <exception cref="DatabaseCorruptException">Its stored bytes are corrupt.</exception>
    public ReadOnlyBitmap GetReadOnly(string name) => this[name].AsReadOnly();

    /// <summary>The bitmaps as a set of named inputs for queries.</summary>
    public BitmapSet Bitmaps
    {
        get
        {
            ThrowIfDisposed();
            return _bitmaps;
        }
    }

    /// <summary>The snapshot as query inputs.</summary>
    public static implicit operator BitmapSet(Snapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        return snapshot.Bitmaps;
    }

    /// <summary>The snapshot as query inputs (the named alternative of the implicit conversion).</summary>
    public BitmapSet ToBitmapSet() => Bitmaps;

    /// <summary>Lets the version go; bitmaps taken from the snapshot must not be used afterwards.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            // A new set version first: no compiled query hands out this snapshot's bitmaps after it is gone.
            _bitmaps.Dispose();
            _database.ReleaseSnapshot(Version);
        }
    }

    // Versions of one checkpoint's directory are one lineage: a checkpoint rebinds the names it folds (from owned
    // containers to the new frames) without a commit, so a query resolves again after one.
    object IVersionedNames.Lineage => (object?)Version.Stored ?? _database;

    long IVersionedNames.VersionNumber
    {
        get
        {
            ThrowIfDisposed();
            return Version.Number;
        }
    }

    IEnumerable<string> IVersionedNames.Names => Names;

    Bitmap? IVersionedNames.Resolve(string name, out NameChangeStamp? stamp)
    {
        ThrowIfDisposed();
        if (Version.Find(name) is not { } entry)
        {
            stamp = null;
            return null;
        }
        stamp = _database.ChangeStampOf(name);
        return entry.Bitmap;
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
}
