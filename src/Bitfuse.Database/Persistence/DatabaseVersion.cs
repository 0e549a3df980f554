using System.Collections.Immutable;

namespace Bitfuse.Persistence;

/// <summary>
/// One committed state of the database: every name and its bitmap after the commit with <see cref="Lsn"/> — the
/// names of the last checkpoint's directory (<see cref="Stored"/>, read in place from the data file) overlaid by the
/// names the log changed since (<see cref="Changes"/>: a new entry, or null for a deleted stored name).
/// A version is immutable. It is kept alive by references: one held by the database while it is current or
/// waiting to be published, one per open snapshot. Once its count reaches 0 it never rises again, and the
/// containers only it held may be freed.
/// </summary>
internal sealed class DatabaseVersion(long number, long lsn, NameDirectory? stored, ImmutableDictionary<string, NameEntry?> changes, int count)
{
    private int _references = 1;

    /// <summary>Its place in the order versions were made (checkpoints make versions too).</summary>
    public long Number { get; } = number;

    /// <summary>The last commit it includes.</summary>
    public long Lsn { get; } = lsn;

    /// <summary>The directory of the checkpoint it builds on (null: the checkpoint holds no names).</summary>
    public NameDirectory? Stored { get; } = stored;

    /// <summary>
    /// The names changed since that checkpoint (hashed, not ordered: a lookup costs one hash; an enumeration sorts
    /// them): in-memory entries, or null where a stored name was deleted.
    /// </summary>
    public ImmutableDictionary<string, NameEntry?> Changes { get; } = changes;

    /// <summary>How many names.</summary>
    public int Count { get; } = count;

    /// <summary>True while something still refers to it.</summary>
    public bool IsLive => Volatile.Read(ref _references) > 0;

    /// <summary>The entry of <paramref name="name"/>, or null when no bitmap has that name.</summary>
    public NameEntry? Find(string name)
    {
        if (!Changes.IsEmpty && Changes.TryGetValue(name, out var changed))
        {
            return changed;
        }
        return Stored?.Find(name);
    }

    /// <summary>
    /// Every name in ordinal order, merging the directory and the changes: for each, its index in the directory
    /// (-1 when it is not there) and its changed entry (null when the directory's stands).
    /// </summary>
    public IEnumerable<(string Name, int StoredIndex, NameEntry? Changed)> Merged()
    {
        var stored = Stored;
        var storedCount = stored?.Count ?? 0;
        var i = 0;
        var storedName = storedCount > 0 ? stored!.NameAt(0) : null;
        var sorted = Changes.ToArray();
        Array.Sort(sorted, (a, b) => string.CompareOrdinal(a.Key, b.Key));
        using var changes = ((IEnumerable<KeyValuePair<string, NameEntry?>>)sorted).GetEnumerator();
        var more = changes.MoveNext();
        while (storedName is not null || more)
        {
            var order = !more ? -1 : storedName is null ? 1 : string.CompareOrdinal(storedName, changes.Current.Key);
            if (order <= 0 && storedName is not null)
            {
                if (order < 0)
                {
                    yield return (storedName, i, null);
                }
                i++;
                storedName = i < storedCount ? stored!.NameAt(i) : null;
                if (order < 0)
                {
                    continue;
                }
            }
            var (name, entry) = changes.Current;
            if (entry is not null)
            {
                yield return (name, order == 0 ? i - 1 : -1, entry);
            }
            more = changes.MoveNext();
        }
    }

    /// <summary>Every name, in ordinal order.</summary>
    public IEnumerable<string> Names => Merged().Select(m => m.Name);

    /// <summary>Takes a reference unless the version is already dead (then false: read the current version again).</summary>
    public bool TryAcquire()
    {
        var seen = Volatile.Read(ref _references);
        while (seen > 0)
        {
            var previous = Interlocked.CompareExchange(ref _references, seen + 1, seen);
            if (previous == seen)
            {
                return true;
            }
            seen = previous;
        }
        return false;
    }

    /// <summary>Drops a reference.</summary>
    public void Release()
    {
        var left = Interlocked.Decrement(ref _references);
        System.Diagnostics.Debug.Assert(left >= 0, "a version was released more often than acquired");
    }
}
