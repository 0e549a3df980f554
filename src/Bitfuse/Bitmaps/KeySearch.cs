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
    /// The one walk over two ascending key lists, from <paramref name="i"/> and <paramref name="j"/>: each side
    /// gallops to the other's key, every key both hold goes to <see cref="IKeyWalkVisitor.Shared"/> once, ascending,
    /// and each stretch of keys only one list holds before the next shared key goes to
    /// <see cref="IKeyWalkVisitor.FirstOnly"/> or <see cref="IKeyWalkVisitor.SecondOnly"/> as one index range (in key
    /// order with the shared keys). Stops when a list ends or the visitor returns false; <paramref name="i"/> and
    /// <paramref name="j"/> are left past the last key visited (or at the key or range the visitor stopped on), so a
    /// walk over blocks of keys resumes where it ended, and the keys left in the other list are the caller's to hand over.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Walk<TVisitor>(ReadOnlySpan<ushort> a, ref int i, ReadOnlySpan<ushort> b, ref int j, ref TVisitor visitor)
        where TVisitor : struct, IKeyWalkVisitor, allows ref struct
    {
        while (i < a.Length && j < b.Length)
        {
            var ka = a[i];
            var kb = b[j];
            if (ka == kb)
            {
                if (!visitor.Shared(i, j))
                {
                    return;
                }
                i++;
                j++;
            }
            else if (ka < kb)
            {
                var next = Advance(a, i, kb);
                if (!visitor.FirstOnly(i, next))
                {
                    return;
                }
                i = next;
            }
            else
            {
                var next = Advance(b, j, ka);
                if (!visitor.SecondOnly(j, next))
                {
                    return;
                }
                j = next;
            }
        }
    }
}

/// <summary>What <see cref="KeySearch.Walk{TVisitor}"/> does with the keys of two lists.</summary>
internal interface IKeyWalkVisitor
{
    /// <summary>Visits the key at <c>a[i]</c> = <c>b[j]</c>; false stops the walk.</summary>
    bool Shared(int i, int j);

    /// <summary>Visits the keys <c>a[from..to)</c>, which the second list lacks; false stops the walk.</summary>
    bool FirstOnly(int from, int to);

    /// <summary>Visits the keys <c>b[from..to)</c>, which the first list lacks; false stops the walk.</summary>
    bool SecondOnly(int from, int to);
}
