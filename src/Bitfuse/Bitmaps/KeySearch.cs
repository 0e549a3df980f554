using System.Runtime.CompilerServices;

namespace Bitfuse.Bitmaps;

/// <summary>Galloping search over ascending 16-bit keys, for walks that move a cursor forward through a bitmap's keys.</summary>
internal static class KeySearch
{
    /// <summary>
    /// The first index at or after <paramref name="from"/> whose key is &gt;= <paramref name="key"/>, or
    /// <c>keys.Length</c>: doubling steps from <paramref name="from"/>, then a binary search inside the last step,
    /// so a cursor that moves a little pays a little.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Advance(ReadOnlySpan<ushort> keys, int from, ushort key)
    {
        var n = keys.Length;
        if (from >= n || keys[from] >= key)
        {
            return from;
        }
        // keys[lo] < key; find hi with keys[hi] >= key or hi == n.
        var lo = from;
        var step = 1;
        var hi = from + 1;
        while (hi < n && keys[hi] < key)
        {
            lo = hi;
            step <<= 1;
            hi = from + step;
        }
        if (hi > n)
        {
            hi = n;
        }
        while (lo + 1 < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (keys[mid] < key)
            {
                lo = mid;
            }
            else
            {
                hi = mid;
            }
        }
        return hi;
    }
}
