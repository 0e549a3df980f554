namespace Bitfuse.Storage;

/// <summary>
/// Which ordering of the use-count protocol a gate runs. Only <see cref="Current"/> is safe; the
/// original ordering exists so regression tests can show, step by step, the races it allowed.
/// </summary>
internal enum UseCountOrdering
{
    /// <summary>Readers increment, then check the flag; only the thread that set the flag clears it.</summary>
    Current,

    /// <summary>The 2020 ordering: readers check the flag, then increment; any thread ending a resize clears the flag.</summary>
    Original,
}
