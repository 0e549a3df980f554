using System.Collections.Immutable;

namespace Bitfuse.Persistence;

/// <summary>
/// One committed state of the database: every name and its bitmap after the commit with <see cref="Lsn"/>.
/// A version is immutable. It is kept alive by references: one held by the database while it is current or
/// waiting to be published, one per open snapshot. Once its count reaches 0 it never rises again, and the
/// containers only it held may be freed.
/// </summary>
internal sealed class DatabaseVersion(long number, long lsn, ImmutableSortedDictionary<string, NameEntry> names)
{
    private int _references = 1;

    /// <summary>Its place in the order versions were made (checkpoints make versions too).</summary>
    public long Number { get; } = number;

    /// <summary>The last commit it includes.</summary>
    public long Lsn { get; } = lsn;

    /// <summary>The names, in ordinal order.</summary>
    public ImmutableSortedDictionary<string, NameEntry> Names { get; } = names;

    /// <summary>True while something still refers to it.</summary>
    public bool IsLive => Volatile.Read(ref _references) > 0;

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
