using System.Runtime.CompilerServices;

namespace Bitfuse.Bitmaps;

/// <summary>
/// A merge of two run lists (<c>(start, length - 1)</c> pairs, ascending) into a third that holds at most na + nb
/// runs. The container operations take it as a struct type argument (<c>where TMerge : struct, IRunMerge</c>), so
/// one body builds and settles the results of every operation on run lists with the merge inlined.
/// </summary>
internal unsafe interface IRunMerge
{
    /// <summary>
    /// True when the result is often much shorter than its inputs (intersections, differences): it is merged in a
    /// stack buffer and copied into a payload of its own size. Unions and symmetric differences are rarely shorter
    /// than their inputs: they write straight into a payload of na + nb runs (the copy measured 2-3% slower).
    /// </summary>
    static abstract bool Shrinks { get; }

    static abstract int Merge(ushort* a, int na, ushort* b, int nb, ushort* dst);
}

/// <summary>a ∩ b.</summary>
internal readonly unsafe struct IntersectRuns : IRunMerge
{
    public static bool Shrinks => true;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Merge(ushort* a, int na, ushort* b, int nb, ushort* dst) => RunContainer.Intersect(a, na, b, nb, dst);
}

/// <summary>a \ b.</summary>
internal readonly unsafe struct DifferenceRuns : IRunMerge
{
    public static bool Shrinks => true;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Merge(ushort* a, int na, ushort* b, int nb, ushort* dst) => RunContainer.Difference(a, na, b, nb, dst);
}

/// <summary>a ∪ b.</summary>
internal readonly unsafe struct UnionRuns : IRunMerge
{
    public static bool Shrinks => false;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Merge(ushort* a, int na, ushort* b, int nb, ushort* dst) => RunContainer.Union(a, na, b, nb, dst);
}

/// <summary>a ⊕ b.</summary>
internal readonly unsafe struct XorRuns : IRunMerge
{
    public static bool Shrinks => false;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Merge(ushort* a, int na, ushort* b, int nb, ushort* dst) => RunContainer.Xor(a, na, b, nb, dst);
}
