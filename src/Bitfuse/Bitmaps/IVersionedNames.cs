namespace Bitfuse;

/// <summary>
/// A resolver whose answers are one version of a name table that changes by versions (a database snapshot):
/// the answers never change while the set lives, and a query that resolved names in one version may keep them for a
/// later version of the same <see cref="Lineage"/> as long as each name's <see cref="NameChangeStamp"/> says it did
/// not change in between. That spares a query run over a fresh snapshot its name lookups.
/// </summary>
internal interface IVersionedNames
{
    /// <summary>What the version numbers count within: versions of one lineage are comparable by number.</summary>
    object Lineage { get; }

    /// <summary>This version's number in its lineage (later versions have larger numbers).</summary>
    /// <exception cref="ObjectDisposedException">The version is no longer readable through this resolver.</exception>
    long VersionNumber { get; }

    /// <summary>The names it can list, for the suggestions of an unknown-name error.</summary>
    IEnumerable<string> Names { get; }

    /// <summary>The bitmap called <paramref name="name"/> in this version (null: unknown) and the stamp of its changes.</summary>
    /// <exception cref="ObjectDisposedException">The version is no longer readable through this resolver.</exception>
    Bitmap? Resolve(string name, out NameChangeStamp? stamp);
}
