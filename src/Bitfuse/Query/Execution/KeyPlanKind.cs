namespace Bitfuse.Query.Execution;

/// <summary>What a key needs, once absent inputs are replaced by <c>$0</c> and the tree re-simplified.</summary>
public enum KeyPlanKind
{
    /// <summary>The answer is empty: the key is skipped without reading anything.</summary>
    Skip,

    /// <summary>The answer is every value of the key (within the universe).</summary>
    Full,

    /// <summary>The answer is one input's container: copied, or counted from its cardinality.</summary>
    Copy,

    /// <summary>An and of inputs and negated inputs: sparse containers go to the multi-way intersection's per-key code, bitsets to a kernel.</summary>
    Intersect,

    /// <summary>An or of three or more inputs: the multi-way union's per-key code (merges, or one scratch bitset; no kernel per presence pattern).</summary>
    Union,

    /// <summary>Anything else: a fused kernel over the key's bitsets (array and run containers expanded).</summary>
    Kernel,
}
