namespace Bitfuse.Query.Execution;

/// <summary>The root forms <see cref="DirectShape"/> recognises.</summary>
internal enum DirectShapeKind
{
    /// <summary>Anything else: per-key plans and fused kernels.</summary>
    General,

    /// <summary><c>a &amp; b</c>.</summary>
    AndPair,

    /// <summary><c>a &amp; !b</c>.</summary>
    AndNotPair,

    /// <summary><c>a | b</c>.</summary>
    OrPair,

    /// <summary><c>a ^ b</c>.</summary>
    XorPair,

    /// <summary>An AND of three or more inputs and negated inputs, at least one positive.</summary>
    Intersect,

    /// <summary>An OR of three or more inputs.</summary>
    Union,

    /// <summary>An XOR of three or more inputs.</summary>
    SymmetricDifference,
}
