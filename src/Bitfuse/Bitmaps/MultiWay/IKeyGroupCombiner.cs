
namespace Bitfuse.Bitmaps.MultiWay;

/// <summary>How <see cref="KeyGroups"/> combines the containers one key holds across many inputs.</summary>
internal interface IKeyGroupCombiner
{
    /// <summary>
    /// Combines <paramref name="group"/> (two or more containers of <paramref name="key"/>, only read); returns
    /// the answer's cardinality and, when <paramref name="materialise"/>, stages the answer through
    /// <see cref="DirectScratch.Stage"/>.
    /// </summary>
    static abstract int Key(ReadOnlySpan<Container> group, ushort key, DirectScratch scratch, bool materialise, ref int staged);
}
