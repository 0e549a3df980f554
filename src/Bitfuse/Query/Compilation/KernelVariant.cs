namespace Bitfuse.Query.Compilation;

/// <summary>What a kernel does with each result block.</summary>
internal enum KernelVariant
{
    /// <summary>Stores the result; returns 0.</summary>
    Write,

    /// <summary>Counts the result's set bits without storing anything.</summary>
    Count,

    /// <summary>Stores the result and returns its number of set bits.</summary>
    WriteCount,

    /// <summary>Returns 1 at the first non-empty result block, else 0; stores nothing.</summary>
    Any,
}
