using System.Runtime.CompilerServices;

namespace Bitfuse.Bitmaps;

/// <summary>
/// A merge of two run lists (<c>(start, length - 1)</c> pairs, ascending) into a third that holds at most na + nb
/// runs. The container operations take it as a struct type argument (<c>where TMerge : struct, IRunMerge</c>), so
/// one body builds and settles the results of intersections and differences of run lists with the merge inlined.
/// </summary>
internal unsafe interface IRunMerge
{
    static abstract int Merge(ushort* a, int na, ushort* b, int nb, ushort* dst);
}

/// <summary>a ∩ b.</summary>
internal readonly unsafe struct IntersectRuns : IRunMerge
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Merge(ushort* a, int na, ushort* b, int nb, ushort* dst) => RunContainer.Intersect(a, na, b, nb, dst);
}

/// <summary>a \ b.</summary>
internal readonly unsafe struct DifferenceRuns : IRunMerge
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Merge(ushort* a, int na, ushort* b, int nb, ushort* dst) => RunContainer.Difference(a, na, b, nb, dst);
}
