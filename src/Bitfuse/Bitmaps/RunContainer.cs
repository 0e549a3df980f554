namespace Bitfuse.Bitmaps;

/// <summary>
/// Kernels over run containers: <c>n</c> interleaved (start, length - 1) pairs of <see cref="ushort"/>,
/// sorted, disjoint and non-adjacent. Outputs are caller-provided buffers sized for the worst case
/// (na + nb runs for unions, na + nb for intersections).
/// </summary>
internal static unsafe class RunContainer
{
    /// <summary>Index of the run whose start is the greatest &lt;= value, or -1.</summary>
    public static int Floor(ushort* runs, int n, ushort value)
    {
        var lo = 0;
        var hi = n - 1;
        var found = -1;
        while (lo <= hi)
        {
            var mid = (lo + hi) >>> 1;
            if (runs[2 * mid] <= value)
            {
                found = mid;
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }
        return found;
    }

    /// <summary>True when <paramref name="value"/> lies in a run.</summary>
    public static bool Contains(ushort* runs, int n, ushort value)
    {
        var r = Floor(runs, n, value);
        return r >= 0 && value - runs[2 * r] <= runs[2 * r + 1];
    }

    /// <summary>Sum of the run lengths.</summary>
    public static int Cardinality(ushort* runs, int n)
    {
        var c = n;
        for (var r = 0; r < n; r++)
        {
            c += runs[2 * r + 1];
        }
        return c;
    }

    /// <summary>How many values are &lt;= <paramref name="value"/>.</summary>
    public static int Rank(ushort* runs, int n, ushort value)
    {
        var c = 0;
        for (var r = 0; r < n; r++)
        {
            int start = runs[2 * r];
            var end = start + runs[2 * r + 1];
            if (value < start)
            {
                break;
            }
            c += Math.Min(value, end) - start + 1;
        }
        return c;
    }

    /// <summary>The value at zero-based <paramref name="index"/>.</summary>
    public static ushort Select(ushort* runs, int n, int index)
    {
        for (var r = 0; r < n; r++)
        {
            var len = runs[2 * r + 1] + 1;
            if (index < len)
            {
                return (ushort)(runs[2 * r] + index);
            }
            index -= len;
        }
        return 0;
    }

    /// <summary>Writes <c>high | v</c> for every value, ascending; returns how many.</summary>
    public static int Extract(ushort* runs, int n, uint high, uint* destination)
    {
        var k = 0;
        for (var r = 0; r < n; r++)
        {
            var v = high | runs[2 * r];
            var end = v + runs[2 * r + 1];
            for (; v <= end; v++)
            {
                destination[k++] = v;
            }
        }
        return k;
    }

    /// <summary>Writes every value as a <see cref="ushort"/>; returns how many.</summary>
    public static int ToArray(ushort* runs, int n, ushort* destination)
    {
        var k = 0;
        for (var r = 0; r < n; r++)
        {
            int v = runs[2 * r];
            var end = v + runs[2 * r + 1];
            for (; v <= end; v++)
            {
                destination[k++] = (ushort)v;
            }
        }
        return k;
    }

    /// <summary>Writes the runs of a sorted array; returns how many runs.</summary>
    public static int FromArray(ushort* a, int na, ushort* runs)
    {
        if (na == 0)
        {
            return 0;
        }
        var n = 0;
        int start = a[0];
        var prev = start;
        for (var i = 1; i < na; i++)
        {
            int v = a[i];
            if (v != prev + 1)
            {
                runs[2 * n] = (ushort)start;
                runs[2 * n + 1] = (ushort)(prev - start);
                n++;
                start = v;
            }
            prev = v;
        }
        runs[2 * n] = (ushort)start;
        runs[2 * n + 1] = (ushort)(prev - start);
        return n + 1;
    }

    /// <summary>Writes the intersection of two run lists as runs; returns how many.</summary>
    public static int Intersect(ushort* a, int na, ushort* b, int nb, ushort* dst)
    {
        var i = 0;
        var j = 0;
        var k = 0;
        while (i < na && j < nb)
        {
            int sa = a[2 * i], ea = sa + a[2 * i + 1];
            int sb = b[2 * j], eb = sb + b[2 * j + 1];
            var s = Math.Max(sa, sb);
            var e = Math.Min(ea, eb);
            if (s <= e)
            {
                dst[2 * k] = (ushort)s;
                dst[2 * k + 1] = (ushort)(e - s);
                k++;
            }
            if (ea < eb)
            {
                i++;
            }
            else
            {
                j++;
            }
        }
        return k;
    }

    /// <summary>|a ∩ b| for two run lists.</summary>
    public static int IntersectCount(ushort* a, int na, ushort* b, int nb)
    {
        var i = 0;
        var j = 0;
        var c = 0;
        while (i < na && j < nb)
        {
            int sa = a[2 * i], ea = sa + a[2 * i + 1];
            int sb = b[2 * j], eb = sb + b[2 * j + 1];
            var s = Math.Max(sa, sb);
            var e = Math.Min(ea, eb);
            if (s <= e)
            {
                c += e - s + 1;
            }
            if (ea < eb)
            {
                i++;
            }
            else
            {
                j++;
            }
        }
        return c;
    }

    /// <summary>Writes the union of two run lists as runs (merging overlapping and adjacent runs); returns how many.</summary>
    public static int Union(ushort* a, int na, ushort* b, int nb, ushort* dst)
    {
        var i = 0;
        var j = 0;
        var k = 0;
        var curStart = -1;
        var curEnd = -2;
        while (i < na || j < nb)
        {
            int s, e;
            if (j >= nb || (i < na && a[2 * i] <= b[2 * j]))
            {
                s = a[2 * i];
                e = s + a[2 * i + 1];
                i++;
            }
            else
            {
                s = b[2 * j];
                e = s + b[2 * j + 1];
                j++;
            }
            if (s <= curEnd + 1)
            {
                curEnd = Math.Max(curEnd, e);
            }
            else
            {
                if (curStart >= 0)
                {
                    dst[2 * k] = (ushort)curStart;
                    dst[2 * k + 1] = (ushort)(curEnd - curStart);
                    k++;
                }
                curStart = s;
                curEnd = e;
            }
        }
        if (curStart >= 0)
        {
            dst[2 * k] = (ushort)curStart;
            dst[2 * k + 1] = (ushort)(curEnd - curStart);
            k++;
        }
        return k;
    }

    /// <summary>Keeps the array values inside the runs, writing them to <paramref name="dst"/> (may alias); returns how many.</summary>
    public static int FilterIn(ushort* runs, int n, ushort* values, int nv, ushort* dst)
    {
        var k = 0;
        var r = 0;
        for (var i = 0; i < nv && r < n; i++)
        {
            int v = values[i];
            while (r < n && runs[2 * r] + runs[2 * r + 1] < v)
            {
                r++;
            }
            if (r < n && runs[2 * r] <= v)
            {
                dst[k++] = (ushort)v;
            }
        }
        return k;
    }

    /// <summary>How many array values lie inside the runs.</summary>
    public static int CountIn(ushort* runs, int n, ushort* values, int nv)
    {
        var k = 0;
        var r = 0;
        for (var i = 0; i < nv && r < n; i++)
        {
            int v = values[i];
            while (r < n && runs[2 * r] + runs[2 * r + 1] < v)
            {
                r++;
            }
            if (r < n && runs[2 * r] <= v)
            {
                k++;
            }
        }
        return k;
    }

    /// <summary>How many set bits of the bitset lie inside the runs.</summary>
    public static int CountIn(ushort* runs, int n, ulong* bitset)
    {
        var c = 0;
        for (var r = 0; r < n; r++)
        {
            int s = runs[2 * r];
            c += BitsetContainer.CountRange(bitset, s, s + runs[2 * r + 1] + 1);
        }
        return c;
    }

    /// <summary>Checks the structural invariants of a run list (sorted, in range, disjoint, non-adjacent).</summary>
    public static bool IsValid(ushort* runs, int n)
    {
        var prevEnd = -2;
        for (var r = 0; r < n; r++)
        {
            int s = runs[2 * r];
            var e = s + runs[2 * r + 1];
            if (e > 65535 || s <= prevEnd + 1)
            {
                return false;
            }
            prevEnd = e;
        }
        return true;
    }
}
