using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Bitfuse.Bitmaps;

/// <summary>
/// Kernels over sorted arrays of distinct <see cref="ushort"/> values (array containers). Inputs are raw
/// pointers with lengths; outputs go to caller-provided buffers large enough for the worst case
/// (min(na, nb) for intersections, na + nb for unions and symmetric differences, na for differences).
/// When one side is much smaller the intersection gallops through the larger one.
/// </summary>
internal static unsafe class ArrayContainer
{
    /// <summary>Ratio above which intersections gallop instead of merging.</summary>
    private const int GallopRatio = 32;

    /// <summary>Index of <paramref name="value"/>, or the bitwise complement of where it would be inserted.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int IndexOf(ushort* a, int n, ushort value)
    {
        var lo = 0;
        var hi = n - 1;
        while (lo + 16 <= hi)
        {
            var mid = (lo + hi) >>> 1;
            var m = a[mid];
            if (m < value)
            {
                lo = mid + 1;
            }
            else if (m > value)
            {
                hi = mid - 1;
            }
            else
            {
                return mid;
            }
        }
        for (; lo <= hi; lo++)
        {
            var m = a[lo];
            if (m >= value)
            {
                return m == value ? lo : ~lo;
            }
        }
        return ~lo;
    }

    /// <summary>The first index i &gt;= <paramref name="from"/> with a[i] &gt;= <paramref name="value"/>, or n.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Advance(ushort* a, int n, int from, ushort value)
    {
        if (from >= n || a[from] >= value)
        {
            return from;
        }
        var step = 1;
        var lo = from;
        var hi = from + 1;
        while (hi < n && a[hi] < value)
        {
            lo = hi;
            step <<= 1;
            hi = from + step;
        }
        if (hi >= n)
        {
            hi = n - 1;
            if (a[hi] < value)
            {
                return n;
            }
        }
        // a[lo] < value <= a[hi]
        while (lo + 1 < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (a[mid] < value)
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

    /// <summary>Writes a ∩ b to <paramref name="dst"/> (may alias a); returns its length.</summary>
    public static int Intersect(ushort* a, int na, ushort* b, int nb, ushort* dst)
    {
        if (na == 0 || nb == 0)
        {
            return 0;
        }
        if (na * GallopRatio < nb)
        {
            return Gallop(a, na, b, nb, dst);
        }
        if (nb * GallopRatio < na)
        {
            return Gallop(b, nb, a, na, dst);
        }
        var i = 0;
        var j = 0;
        var k = 0;
        while (i < na && j < nb)
        {
            var x = a[i];
            var y = b[j];
            dst[k] = x;
            k += x == y ? 1 : 0;
            i += x <= y ? 1 : 0;
            j += y <= x ? 1 : 0;
        }
        return k;
    }

    private static int Gallop(ushort* small, int ns, ushort* large, int nl, ushort* dst)
    {
        var k = 0;
        var j = 0;
        for (var i = 0; i < ns; i++)
        {
            var v = small[i];
            j = Advance(large, nl, j, v);
            if (j == nl)
            {
                break;
            }
            if (large[j] == v)
            {
                dst[k++] = v;
            }
        }
        return k;
    }

    /// <summary>|a ∩ b| without writing anything.</summary>
    public static int IntersectCount(ushort* a, int na, ushort* b, int nb)
    {
        if (na == 0 || nb == 0)
        {
            return 0;
        }
        if (na * GallopRatio < nb)
        {
            return GallopCount(a, na, b, nb);
        }
        if (nb * GallopRatio < na)
        {
            return GallopCount(b, nb, a, na);
        }
        var i = 0;
        var j = 0;
        var k = 0;
        while (i < na && j < nb)
        {
            var x = a[i];
            var y = b[j];
            k += x == y ? 1 : 0;
            i += x <= y ? 1 : 0;
            j += y <= x ? 1 : 0;
        }
        return k;
    }

    private static int GallopCount(ushort* small, int ns, ushort* large, int nl)
    {
        var k = 0;
        var j = 0;
        for (var i = 0; i < ns; i++)
        {
            var v = small[i];
            j = Advance(large, nl, j, v);
            if (j == nl)
            {
                break;
            }
            k += large[j] == v ? 1 : 0;
        }
        return k;
    }

    /// <summary>True when a and b share a value.</summary>
    public static bool Intersects(ushort* a, int na, ushort* b, int nb)
    {
        var i = 0;
        var j = 0;
        if (na * GallopRatio < nb || nb * GallopRatio < na)
        {
            var s = na < nb ? a : b;
            var ns = na < nb ? na : nb;
            var l = na < nb ? b : a;
            var nl = na < nb ? nb : na;
            for (i = 0; i < ns; i++)
            {
                j = Advance(l, nl, j, s[i]);
                if (j == nl)
                {
                    return false;
                }
                if (l[j] == s[i])
                {
                    return true;
                }
            }
            return false;
        }
        while (i < na && j < nb)
        {
            var x = a[i];
            var y = b[j];
            if (x == y)
            {
                return true;
            }
            i += x < y ? 1 : 0;
            j += y < x ? 1 : 0;
        }
        return false;
    }

    /// <summary>Writes a ∪ b to <paramref name="dst"/> (room for na + nb, no alias); returns its length.</summary>
    public static int Union(ushort* a, int na, ushort* b, int nb, ushort* dst)
    {
        var i = 0;
        var j = 0;
        var k = 0;
        while (i < na && j < nb)
        {
            var x = a[i];
            var y = b[j];
            if (x < y)
            {
                dst[k++] = x;
                i++;
            }
            else if (y < x)
            {
                dst[k++] = y;
                j++;
            }
            else
            {
                dst[k++] = x;
                i++;
                j++;
            }
        }
        while (i < na)
        {
            dst[k++] = a[i++];
        }
        while (j < nb)
        {
            dst[k++] = b[j++];
        }
        return k;
    }

    /// <summary>Writes a \ b to <paramref name="dst"/> (may alias a); returns its length.</summary>
    public static int Difference(ushort* a, int na, ushort* b, int nb, ushort* dst)
    {
        var k = 0;
        if (nb * GallopRatio < na)
        {
            // Few removals: copy stretches between them.
            var start = 0;
            for (var j = 0; j < nb; j++)
            {
                var at = IndexOf(a + start, na - start, b[j]);
                if (at >= 0)
                {
                    var keep = at;
                    if (dst + k != a + start)
                    {
                        Buffer.MemoryCopy(a + start, dst + k, 2L * keep, 2L * keep);
                    }
                    k += keep;
                    start += at + 1;
                }
            }
            var rest = na - start;
            if (dst + k != a + start)
            {
                Buffer.MemoryCopy(a + start, dst + k, 2L * rest, 2L * rest);
            }
            return k + rest;
        }
        var i = 0;
        var jj = 0;
        while (i < na && jj < nb)
        {
            var x = a[i];
            var y = b[jj];
            if (x < y)
            {
                dst[k++] = x;
                i++;
            }
            else
            {
                i += x == y ? 1 : 0;
                jj++;
            }
        }
        while (i < na)
        {
            dst[k++] = a[i++];
        }
        return k;
    }

    /// <summary>Writes a ⊕ b to <paramref name="dst"/> (room for na + nb, no alias); returns its length.</summary>
    public static int SymmetricDifference(ushort* a, int na, ushort* b, int nb, ushort* dst)
    {
        var i = 0;
        var j = 0;
        var k = 0;
        while (i < na && j < nb)
        {
            var x = a[i];
            var y = b[j];
            if (x < y)
            {
                dst[k++] = x;
                i++;
            }
            else if (y < x)
            {
                dst[k++] = y;
                j++;
            }
            else
            {
                i++;
                j++;
            }
        }
        while (i < na)
        {
            dst[k++] = a[i++];
        }
        while (j < nb)
        {
            dst[k++] = b[j++];
        }
        return k;
    }

    /// <summary>Writes <c>high | a[i]</c> for every value to <paramref name="destination"/>.</summary>
    public static void Widen(ushort* a, int n, uint high, uint* destination)
    {
        var i = 0;
        if (Vector256.IsHardwareAccelerated && n >= 16)
        {
            var h = Vector256.Create(high);
            for (; i + 16 <= n; i += 16)
            {
                var v = Vector256.Load(a + i);
                var (lo, hi) = Vector256.Widen(v);
                (lo | h).Store(destination + i);
                (hi | h).Store(destination + i + 8);
            }
        }
        for (; i < n; i++)
        {
            destination[i] = high | a[i];
        }
    }

    /// <summary>Number of runs (maximal stretches of consecutive values) in the array.</summary>
    public static int CountRuns(ushort* a, int n)
    {
        if (n == 0)
        {
            return 0;
        }
        var runs = 1;
        for (var i = 1; i < n; i++)
        {
            runs += a[i] != a[i - 1] + 1 ? 1 : 0;
        }
        return runs;
    }

    /// <summary>True when the array is strictly ascending.</summary>
    public static bool IsStrictlyAscending(ushort* a, int n)
    {
        for (var i = 1; i < n; i++)
        {
            if (a[i] <= a[i - 1])
            {
                return false;
            }
        }
        return true;
    }
}
