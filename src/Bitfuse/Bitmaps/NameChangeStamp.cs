namespace Bitfuse;

/// <summary>
/// When one name of a <see cref="IVersionedNames"/> last changed what it resolves to: the number of the newest
/// version that may bind it differently from the versions before. A query that resolved the name in version
/// <c>v</c> may keep that bitmap for a later version <c>w</c> of the same lineage while
/// <see cref="UnchangedSince"/>(<c>v</c>) holds.
/// <para>
/// Invariants: the stamp only rises. The writer raises it before it publishes the version that changed the
/// name, so a reader holding version <c>w</c> reads a stamp at least the number of every change up to
/// <c>w</c>. A stamp made after changes it did not see starts at the newest version number made so far
/// (see <see cref="Raise"/>), so it may send a reader to resolve again but never lets it keep a stale bitmap.
/// A stamp retired with <see cref="Retire"/> never holds again.
/// </para>
/// </summary>
internal sealed class NameChangeStamp
{
    private long _changedAt;

    /// <summary>True when the name resolves to the same bitmap in every version after <paramref name="version"/> made so far.</summary>
    public bool UnchangedSince(long version) => Volatile.Read(ref _changedAt) <= version;

    /// <summary>Records that the name may bind differently from version <paramref name="version"/> on (never lowers the stamp).</summary>
    public void Raise(long version)
    {
        var seen = Volatile.Read(ref _changedAt);
        while (seen < version)
        {
            var previous = Interlocked.CompareExchange(ref _changedAt, version, seen);
            if (previous == seen)
            {
                return;
            }
            seen = previous;
        }
    }

    /// <summary>Makes every later <see cref="UnchangedSince"/> false.</summary>
    public void Retire() => Raise(long.MaxValue);
}
