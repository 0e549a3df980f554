
namespace Bitfuse.Bitmaps.MultiWay;

/// <summary>How <see cref="KeyGroups"/> combines the containers one key holds across many inputs.</summary>
internal interface IKeyGroupCombiner
{
    /// <summary>The cardinality of the answer of two containers, building nothing.</summary>
    static abstract int PairCount(in Container a, in Container b);

    /// <summary>The answer of two containers, as a new owned container (empty descriptor when it has no values).</summary>
    static abstract Container Pair(in Container a, in Container b);

    /// <summary>
    /// Combines <paramref name="group"/> (three or more containers of one key, only read); returns the answer's
    /// cardinality and, when <paramref name="materialise"/>, the answer as a new owned container (empty descriptor
    /// when it has no values).
    /// </summary>
    static abstract int Key(ReadOnlySpan<Container> group, DirectScratch scratch, bool materialise, out Container container);
}
