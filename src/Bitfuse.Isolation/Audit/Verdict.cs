namespace Bitfuse.Isolation.Audit;

/// <summary>What an audit item found.</summary>
public enum Verdict
{
    /// <summary>Set up for isolation.</summary>
    Ok,

    /// <summary>Works, but costs noise or leaves a risk.</summary>
    Warn,

    /// <summary>Not isolated in this respect.</summary>
    Fail,

    /// <summary>The machine does not expose what the check needs (missing file, no permission, not applicable here).</summary>
    CannotVerify,
}
