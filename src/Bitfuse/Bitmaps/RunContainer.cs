using System.Runtime.CompilerServices;
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
            // Counted by offset, not compared against the end: a run may end at 2^32 - 1, where v <= end never fails.
            var start = high | runs[2 * r];
            int length = runs[2 * r + 1];
            for (var i = 0; i <= length; i++)
            {
                destination[k++] = start + (uint)i;
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

    /// <summary>
    /// a \ b for two run lists in one pass (no complement of b is built): each run of a is cut by the runs of b that
    /// overlap it. Writes at most na + nb runs to <paramref name="dst"/>; returns how many.
    /// </summary>
    public static int Difference(ushort* a, int na, ushort* b, int nb, ushort* dst)
    {
        var k = 0;
        var j = 0;
        for (var i = 0; i < na; i++)
        {
            // Half-open [start, end) of what is left of run i.
            int start = a[2 * i];
            var end = start + a[2 * i + 1] + 1;
            while (j < nb && b[2 * j] + b[2 * j + 1] < start)
            {
                j++;
            }
            while (j < nb && b[2 * j] < end)
            {
                int cutStart = b[2 * j];
                var cutEnd = cutStart + b[2 * j + 1] + 1;
                if (cutStart > start)
                {
                    dst[2 * k] = (ushort)start;
                    dst[2 * k + 1] = (ushort)(cutStart - start - 1);
                    k++;
                }
                if (cutEnd >= end)
                {
                    // b's run covers the rest of run i and may reach into the next one: keep it.
                    start = end;
                    break;
                }
                start = cutEnd;
                j++;
            }
            if (start < end)
            {
                dst[2 * k] = (ushort)start;
                dst[2 * k + 1] = (ushort)(end - start - 1);
                k++;
            }
        }
        return k;
    }

    /// <summary>|a ∩ b| for two run lists.</summary>
    public static int IntersectCount(ushort* a, int na, ushort* b, int nb)
    {
        // The current run of each side stays in registers (end exclusive) and is reloaded only when that side
        // moves on; a side whose run lies wholly before the other's moves on without any arithmetic.
        if (na == 0 || nb == 0)
        {
            return 0;
        }
        var endA = (ushort*)((byte*)a + 4L * na);
        var endB = (ushort*)((byte*)b + 4L * nb);
        int sa = a[0], ea = sa + a[1] + 1;
        int sb = b[0], eb = sb + b[1] + 1;
        var c = 0;
        while (true)
        {
            if (ea <= sb)
            {
                a += 2;
                if (a == endA)
                {
                    return c;
                }
                sa = a[0];
                ea = sa + a[1] + 1;
            }
            else if (eb <= sa)
            {
                b += 2;
                if (b == endB)
                {
                    return c;
                }
                sb = b[0];
                eb = sb + b[1] + 1;
            }
            else
            {
                var start = Math.Max(sa, sb);
                if (ea <= eb)
                {
                    c += ea - start;
                    a += 2;
                    if (a == endA)
                    {
                        return c;
                    }
                    sa = a[0];
                    ea = sa + a[1] + 1;
                }
                else
                {
                    c += eb - start;
                    b += 2;
                    if (b == endB)
                    {
                        return c;
                    }
                    sb = b[0];
                    eb = sb + b[1] + 1;
                }
            }
        }
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
    public static int FilterIn(ushort* runs, int n, ushort* values, int nv, ushort* dst) =>
        Inside<WriteValues>(runs, n, values, nv, dst);

    /// <summary>How many array values lie inside the runs.</summary>
    public static int CountIn(ushort* runs, int n, ushort* values, int nv) =>
        Inside<CountValues>(runs, n, values, nv, null);

    /// <summary>The array values inside the runs, written to <paramref name="dst"/> (may alias) or only counted, as <typeparamref name="TSink"/> says; returns how many.</summary>
    private static int Inside<TSink>(ushort* runs, int n, ushort* values, int nv, ushort* dst)
        where TSink : struct, IValueSink
    {
        if (n == 0 || nv == 0)
        {
            return 0;
        }
        var k = 0;
        if (n * 8 < nv)
        {
            // Few runs over many values: find each run's stretch of the array with two gallops and copy it whole
            // (dst is never ahead of the values being read, so an aliased copy moves data down safely).
            var at = 0;
            for (var r = 0; r < n && at < nv; r++)
            {
                int first = runs[2 * r];
                var from = ArrayContainer.Advance(values, nv, at, (ushort)first);
                var last = first + runs[2 * r + 1];
                at = last == ushort.MaxValue ? nv : ArrayContainer.Advance(values, nv, from, (ushort)(last + 1));
                var stretch = at - from;
                if (TSink.Writes && stretch > 0 && dst + k != values + from)
                {
                    Buffer.MemoryCopy(values + from, dst + k, 2L * stretch, 2L * stretch);
                }
                k += stretch;
            }
            return k;
        }
        // Otherwise one merge with the current run in registers.
        var end = runs + 2 * n;
        int start = runs[0], stop = start + runs[1];
        for (var i = 0; i < nv; i++)
        {
            int v = values[i];
            while (v > stop)
            {
                runs += 2;
                if (runs == end)
                {
                    return k;
                }
                start = runs[0];
                stop = start + runs[1];
            }
            if (TSink.Writes)
            {
                dst[k] = (ushort)v;
            }
            k += v >= start ? 1 : 0;
        }
        return k;
    }

    /// <summary>Keeps the array values outside the runs, writing them to <paramref name="dst"/> (may alias); returns how many.</summary>
    public static int FilterOut(ushort* runs, int n, ushort* values, int nv, ushort* dst)
    {
        var k = 0;
        var r = 0;
        for (var i = 0; i < nv; i++)
        {
            int v = values[i];
            while (r < n && runs[2 * r] + runs[2 * r + 1] < v)
            {
                r++;
            }
            if (r == n || runs[2 * r] > v)
            {
                dst[k++] = (ushort)v;
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

    /// <summary>
    /// Writes the symmetric difference of two run lists as runs; returns how many (at most na + nb). The runs of
    /// both lists are taken in order of their starts, one step per run, and each is xor-ed into the tail of the
    /// output (<see cref="AppendExclusive"/>), which stays sorted, disjoint and coalesced.
    /// </summary>
    public static int Xor(ushort* a, int na, ushort* b, int nb, ushort* dst)
    {
        var i = 0;
        var j = 0;
        var k = 0;
        while (i < na && j < nb)
        {
            if (a[2 * i] <= b[2 * j])
            {
                k = AppendExclusive(dst, k, a[2 * i], a[2 * i + 1]);
                i++;
            }
            else
            {
                k = AppendExclusive(dst, k, b[2 * j], b[2 * j + 1]);
                j++;
            }
        }
        for (; i < na; i++)
        {
            k = AppendExclusive(dst, k, a[2 * i], a[2 * i + 1]);
        }
        for (; j < nb; j++)
        {
            k = AppendExclusive(dst, k, b[2 * j], b[2 * j + 1]);
        }
        return k;
    }

    /// <summary>
    /// Xors the run [start, start + lengthMinusOne] into the <paramref name="k"/> runs at <paramref name="dst"/>,
    /// whose last run starts at or before <paramref name="start"/>; returns the new run count. Only the last run
    /// can meet the new one: it is extended when they touch, cut where they overlap, or removed when they are equal.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int AppendExclusive(ushort* dst, int k, int start, int lengthMinusOne)
    {
        int oldEnd;
        if (k == 0 || start > (oldEnd = dst[2 * k - 2] + dst[2 * k - 1] + 1))
        {
            dst[2 * k] = (ushort)start;
            dst[2 * k + 1] = (ushort)lengthMinusOne;
            return k + 1;
        }
        if (oldEnd == start)
        {
            dst[2 * k - 1] = (ushort)(dst[2 * k - 1] + lengthMinusOne + 1);
            return k;
        }
        // Ends are exclusive here: [start, newEnd) against the last run's [lastStart, oldEnd).
        var newEnd = start + lengthMinusOne + 1;
        int lastStart = dst[2 * k - 2];
        int low;
        int high;
        if (start == lastStart)
        {
            // The shared prefix cancels: what remains is the longer run's tail, or nothing.
            k--;
        }
        else
        {
            // The last run keeps [lastStart, start); the part past the shorter end follows.
            dst[2 * k - 1] = (ushort)(start - lastStart - 1);
        }
        (low, high) = newEnd < oldEnd ? (newEnd, oldEnd) : (oldEnd, newEnd);
        if (low == high)
        {
            return k;
        }
        dst[2 * k] = (ushort)low;
        dst[2 * k + 1] = (ushort)(high - low - 1);
        return k + 1;
    }

    /// <summary>The smallest value &gt;= <paramref name="value"/>, or -1.</summary>
    public static int NextValue(ushort* runs, int n, ushort value)
    {
        var r = Floor(runs, n, value);
        if (r >= 0 && value - runs[2 * r] <= runs[2 * r + 1])
        {
            return value;
        }
        return r + 1 < n ? runs[2 * (r + 1)] : -1;
    }

    /// <summary>The largest value &lt;= <paramref name="value"/>, or -1.</summary>
    public static int PreviousValue(ushort* runs, int n, ushort value)
    {
        var r = Floor(runs, n, value);
        return r < 0 ? -1 : Math.Min(value, runs[2 * r] + runs[2 * r + 1]);
    }

    /// <summary>The smallest value &gt;= <paramref name="value"/> outside every run; 65536 when there is none below it.</summary>
    public static int NextAbsent(ushort* runs, int n, ushort value)
    {
        // Runs are non-adjacent, so the value after a run's end is absent.
        var r = Floor(runs, n, value);
        return r >= 0 && value - runs[2 * r] <= runs[2 * r + 1] ? runs[2 * r] + runs[2 * r + 1] + 1 : value;
    }

    /// <summary>How many values lie in [<paramref name="start"/>, <paramref name="end"/>), 0 &lt;= start &lt;= end &lt;= 65536.</summary>
    public static int CountRange(ushort* runs, int n, int start, int end)
    {
        if (start >= end)
        {
            return 0;
        }
        var r = Math.Max(0, Floor(runs, n, (ushort)start));
        var count = 0;
        for (; r < n && runs[2 * r] < end; r++)
        {
            int s = runs[2 * r];
            var e = s + runs[2 * r + 1] + 1;
            count += Math.Max(0, Math.Min(e, end) - Math.Max(s, start));
        }
        return count;
    }

    /// <summary>
    /// Writes <c>high | v</c> for the values v in [<paramref name="from"/>, <paramref name="to"/>), ascending,
    /// at most <paramref name="capacity"/> of them; returns how many (a bounded <see cref="Extract"/>).
    /// </summary>
    public static int ExtractRange(ushort* runs, int n, int from, int to, uint high, uint* destination, int capacity)
    {
        var k = 0;
        if (from >= to)
        {
            return 0;
        }
        for (var r = Math.Max(0, Floor(runs, n, (ushort)from)); r < n && runs[2 * r] < to && k < capacity; r++)
        {
            var start = Math.Max(from, (int)runs[2 * r]);
            var end = Math.Min(to, runs[2 * r] + runs[2 * r + 1] + 1);
            var take = Math.Min(end - start, capacity - k);
            for (var i = 0; i < take; i++)
            {
                destination[k++] = high | (uint)(start + i);
            }
        }
        return k;
    }
}
