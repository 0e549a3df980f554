using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Bitfuse.Bitmaps;

/// <summary>Galloping search over ascending 16-bit keys, for walks that move a cursor forward through a bitmap's keys.</summary>
internal static class KeySearch
{
    /// <summary>
    /// The first index at or after <paramref name="from"/> whose key is &gt;= <paramref name="key"/>, or
    /// <c>keys.Length</c>: doubling steps from <paramref name="from"/>, then a binary search inside the last step,
    /// so a cursor that moves a little pays a little. The body is
    /// <see cref="ArrayContainer.Advance(ref ushort, int, int, ushort)"/>, which the array kernels gallop with too.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Advance(ReadOnlySpan<ushort> keys, int from, ushort key) =>
        ArrayContainer.Advance(ref MemoryMarshal.GetReference(keys), keys.Length, from, key);

    /// <summary>
    /// Leapfrogs two ascending key lists from <paramref name="i"/> and <paramref name="j"/>, each side galloping to
    /// the other's key, and hands every key both hold to <paramref name="visitor"/> once, ascending. Stops when a list
    /// ends or the visitor returns false; <paramref name="i"/> and <paramref name="j"/> are left past the last key
    /// visited (or at the key the visitor stopped on), so a walk over blocks of keys resumes where it ended.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Shared<TVisitor>(ReadOnlySpan<ushort> a, ref int i, ReadOnlySpan<ushort> b, ref int j, ref TVisitor visitor)
        where TVisitor : struct, ISharedKeyVisitor, allows ref struct
    {
        while (i < a.Length && j < b.Length)
        {
            var ka = a[i];
            var kb = b[j];
            if (ka == kb)
            {
                if (!visitor.Visit(i, j))
                {
                    return;
                }
                i++;
                j++;
            }
            else if (ka < kb)
            {
                i = Advance(a, i, kb);
            }
            else
            {
                j = Advance(b, j, ka);
            }
        }
    }
}

/// <summary>What <see cref="KeySearch.Shared{TVisitor}"/> does at a key both lists hold.</summary>
internal interface ISharedKeyVisitor
{
    /// <summary>Visits the key at <c>a[i]</c> = <c>b[j]</c>; false stops the walk.</summary>
    bool Visit(int i, int j);
}
