using System.Collections.Concurrent;

namespace Bitfuse.Persistence;

/// <summary>
/// The change stamp of each name a query resolved or a commit changed since the database opened (see
/// <see cref="NameChangeStamp"/>): what lets a compiled query keep the bitmaps it resolved in one snapshot for the
/// next snapshot, checking one stamp per name instead of looking every name up again.
/// <para>
/// Invariants:
/// S1. One stamp object per name at a time: readers and the writer both get it through <c>GetOrAdd</c>.
/// S2. The writer raises the stamp of every name a version changes to that version's number before the version can
///     be published (<see cref="Changed"/> is called while the version is built).
/// S3. A stamp is made at the number of the newest version built so far, so a stamp made after its name changed
///     (a name pruned, then looked up again in an older snapshot) never claims that it did not change.
/// S4. <see cref="Prune"/> retires a stamp before removing it, so a query that kept it resolves again.
/// </para>
/// </summary>
internal sealed class NameChangeStamps
{
    private readonly ConcurrentDictionary<string, NameChangeStamp> _stamps = new(StringComparer.Ordinal);
    private long _newestVersion;

    /// <summary>The stamp of <paramref name="name"/> (reader side; made when absent, S3).</summary>
    public NameChangeStamp Of(string name) =>
        _stamps.TryGetValue(name, out var stamp) ? stamp : _stamps.GetOrAdd(name, static (_, self) => Made(Volatile.Read(ref self._newestVersion)), this);

    /// <summary>Records that version <paramref name="version"/> changed <paramref name="name"/> (writer side, S2).</summary>
    public void Changed(string name, long version)
    {
        Advance(version);
        _stamps.GetOrAdd(name, static (_, v) => Made(v), version).Raise(version);
    }

    /// <summary>
    /// Forgets the stamps of names that <paramref name="exists"/> says version <paramref name="version"/> lacks (writer
    /// side; S4), so deleted names do not pile up.
    /// </summary>
    public void Prune(long version, Func<string, bool> exists)
    {
        Advance(version);
        foreach (var (name, stamp) in _stamps)
        {
            if (!exists(name))
            {
                stamp.Retire();
                _stamps.TryRemove(new KeyValuePair<string, NameChangeStamp>(name, stamp));
            }
        }
    }

    /// <summary>How many names have a stamp.</summary>
    public int Count => _stamps.Count;

    private void Advance(long version)
    {
        if (Volatile.Read(ref _newestVersion) < version)
        {
            Volatile.Write(ref _newestVersion, version);
        }
    }

    private static NameChangeStamp Made(long version)
    {
        var stamp = new NameChangeStamp();
        stamp.Raise(version);
        return stamp;
    }
}
