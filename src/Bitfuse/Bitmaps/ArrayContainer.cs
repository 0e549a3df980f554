using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Bitfuse.Bitmaps;

/// <summary>
/// Kernels over sorted arrays of distinct <see cref="ushort"/> values (array containers). Inputs are raw
/// pointers with lengths; outputs go to caller-provided buffers large enough for the worst case
/// (min(na, nb) for intersections, na + nb for unions and symmetric differences, na for differences).
/// When one side is much smaller the intersection gallops through the larger one; between arrays of similar
/// size it compares blocks of eight values against all eight rotations of the other block (eight SSSE3 compares,
/// or two 512-bit ones with AVX-512), packing the matches with a shuffle table, and finishes with a scalar merge. Unions and symmetric differences of arrays of
/// eight or more values merge blocks of eight through a min/max network (SSE4.1) and drop repeated values with
/// the same shuffle table. Vector intersections write up to eight values past the result, so their
/// destinations need <see cref="IntersectSlack"/> spare values; the vector merges never write past na + nb.
/// </summary>
internal static unsafe class ArrayContainer
{
    /// <summary>Spare values an intersection destination needs beyond min(na, nb).</summary>
    public const int IntersectSlack = 8;

    private static readonly Vector128<byte>[] PackTable = BuildPackTable();

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
    public static int Advance(ushort* a, int n, int from, ushort value) => Advance(ref *a, n, from, value);

    /// <summary>
    /// <see cref="Advance(ushort*, int, int, ushort)"/> from a reference to the first value, so that callers holding a
    /// span (<see cref="KeySearch.Advance"/>) gallop with the same body without pinning: doubling steps from
    /// <paramref name="from"/>, then a binary search inside the last step.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Advance(ref ushort a, int n, int from, ushort value)
    {
        if (from >= n || Unsafe.Add(ref a, from) >= value)
        {
            return from;
        }
        var step = 1;
        var lo = from;
        var hi = from + 1;
        while (hi < n && Unsafe.Add(ref a, hi) < value)
        {
            lo = hi;
            step <<= 1;
            hi = from + step;
        }
        if (hi >= n)
        {
            hi = n - 1;
            if (Unsafe.Add(ref a, hi) < value)
            {
                return n;
            }
        }
        // a[lo] < value <= a[hi]
        while (lo + 1 < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (Unsafe.Add(ref a, mid) < value)
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

    /// <summary>Writes a ∩ b to <paramref name="dst"/> (room for min(na, nb) + <see cref="IntersectSlack"/>; may be a itself, for an in-place intersection); returns its length.</summary>
    public static int Intersect(ushort* a, int na, ushort* b, int nb, ushort* dst) => Intersect<WriteValues>(a, na, b, nb, dst);

    /// <summary>|a ∩ b| without writing anything.</summary>
    public static int IntersectCount(ushort* a, int na, ushort* b, int nb) => Intersect<CountValues>(a, na, b, nb, null);

    /// <summary>a ∩ b, written to <paramref name="dst"/> or only counted, as <typeparamref name="TSink"/> says; returns its length.</summary>
    private static int Intersect<TSink>(ushort* a, int na, ushort* b, int nb, ushort* dst)
        where TSink : struct, IValueSink
    {
        if (na == 0 || nb == 0)
        {
            return 0;
        }
        if (na * GallopRatio < nb)
        {
            return Gallop<TSink>(a, na, b, nb, dst);
        }
        if (nb * GallopRatio < na)
        {
            return Gallop<TSink>(b, nb, a, na, dst);
        }
        var i = 0;
        var j = 0;
        var k = 0;
        if (Ssse3.IsSupported && na >= 8 && nb >= 8)
        {
            // In place (dst == a): a block's matches are stored only once the block is done, at k <= i, so the
            // 16-byte store lands inside the block already held in va and never on a block still to be loaded.
            // A block left unfinished by the loop is merged again by the scalar tail from the first b block it
            // met (no b value before that one can match it).
            var table = PackTable;
            var va = Vector128.Load(a);
            var amax = a[7];
            uint pending = 0;
            var firstJ = 0;
            while (true)
            {
                pending |= MatchBits(a + i, va, b + j);
                var bmax = b[j + 7];
                if (amax <= bmax)
                {
                    if (pending != 0)
                    {
                        if (TSink.Writes)
                        {
                            Ssse3.Shuffle(va.AsByte(), table[pending]).Store((byte*)(dst + k));
                        }
                        k += BitOperations.PopCount(pending);
                        pending = 0;
                    }
                    i += 8;
                    j += bmax == amax ? 8 : 0;
                    firstJ = j;
                    if (i + 8 > na || j + 8 > nb)
                    {
                        break;
                    }
                    va = Vector128.Load(a + i);
                    amax = a[i + 7];
                }
                else
                {
                    j += 8;
                    if (j + 8 > nb)
                    {
                        j = firstJ;
                        break;
                    }
                }
            }
        }
        while (i < na && j < nb)
        {
            var x = a[i];
            var y = b[j];
            if (TSink.Writes)
            {
                dst[k] = x;
            }
            k += x == y ? 1 : 0;
            i += x <= y ? 1 : 0;
            j += y <= x ? 1 : 0;
        }
        return k;
    }

    /// <summary>
    /// Which of the eight values at <paramref name="a"/> (also given loaded, <paramref name="va"/>) equal one of the
    /// eight at <paramref name="b"/>: bit i for a[i]. With AVX-512 both blocks are broadcast to the four 128-bit
    /// lanes of a 512-bit vector and b's is rotated by 0..3 and 4..7 lanes (two permutes), so two compares into
    /// mask registers cover all eight rotations that take eight compares at 128 bits.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint MatchBits(ushort* a, Vector128<ushort> va, ushort* b)
    {
        if (Avx512BW.IsSupported)
        {
            var a4 = Avx512F.BroadcastVector128ToVector512((uint*)a).AsUInt16();
            var b4 = Avx512F.BroadcastVector128ToVector512((uint*)b).AsUInt16();
            var first = Avx512BW.PermuteVar32x16(b4, Vector512.Create(
                (ushort)0, 1, 2, 3, 4, 5, 6, 7, 1, 2, 3, 4, 5, 6, 7, 0, 2, 3, 4, 5, 6, 7, 0, 1, 3, 4, 5, 6, 7, 0, 1, 2));
            var second = Avx512BW.PermuteVar32x16(b4, Vector512.Create(
                (ushort)4, 5, 6, 7, 0, 1, 2, 3, 5, 6, 7, 0, 1, 2, 3, 4, 6, 7, 0, 1, 2, 3, 4, 5, 7, 0, 1, 2, 3, 4, 5, 6));
            var lanes = (uint)(Vector512.Equals(a4, first) | Vector512.Equals(a4, second)).ExtractMostSignificantBits();
            lanes |= lanes >> 16;
            lanes |= lanes >> 8;
            return lanes & 0xFF;
        }
        var vb = Vector128.Load(b);
        var b8 = vb.AsByte();
        var m = Vector128.Equals(va, vb);
        m |= Vector128.Equals(va, Ssse3.AlignRight(b8, b8, 2).AsUInt16());
        m |= Vector128.Equals(va, Ssse3.AlignRight(b8, b8, 4).AsUInt16());
        m |= Vector128.Equals(va, Ssse3.AlignRight(b8, b8, 6).AsUInt16());
        m |= Vector128.Equals(va, Ssse3.AlignRight(b8, b8, 8).AsUInt16());
        m |= Vector128.Equals(va, Ssse3.AlignRight(b8, b8, 10).AsUInt16());
        m |= Vector128.Equals(va, Ssse3.AlignRight(b8, b8, 12).AsUInt16());
        m |= Vector128.Equals(va, Ssse3.AlignRight(b8, b8, 14).AsUInt16());
        return (uint)Sse2.MoveMask(Sse2.PackSignedSaturate(m.AsInt16(), Vector128<short>.Zero).AsByte());
    }

    /// <summary>For each 8-bit lane mask, the byte shuffle that packs the selected 16-bit lanes to the front.</summary>
    private static Vector128<byte>[] BuildPackTable()
    {
        var table = new Vector128<byte>[256];
        Span<byte> control = stackalloc byte[16];
        for (var mask = 0; mask < 256; mask++)
        {
            control.Fill(0x80);
            var k = 0;
            for (var lane = 0; lane < 8; lane++)
            {
                if ((mask & (1 << lane)) != 0)
                {
                    control[2 * k] = (byte)(2 * lane);
                    control[2 * k + 1] = (byte)(2 * lane + 1);
                    k++;
                }
            }
            table[mask] = Vector128.Create((ReadOnlySpan<byte>)control);
        }
        return table;
    }

    private static int Gallop<TSink>(ushort* small, int ns, ushort* large, int nl, ushort* dst)
        where TSink : struct, IValueSink
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
            // Written only on a match: in place, dst may be large itself, whose next values are still to be read.
            if (!TSink.Writes)
            {
                k += large[j] == v ? 1 : 0;
            }
            else if (large[j] == v)
            {
                dst[k++] = v;
            }
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
        if (Sse41.IsSupported && na >= 8 && nb >= 8)
        {
            return MergeVector<UnionMerge>(a, na, b, nb, dst);
        }
        return ScalarMerge<UnionMerge>(a, na, b, nb, dst);
    }

    /// <summary>
    /// Merges a and b eight values at a time: the next block of the side with the smaller head goes through
    /// <see cref="MergeNetwork"/> with the eight largest values so far, and the eight smallest come out sorted for
    /// <typeparamref name="TMerge"/> to store (without repeats for a union, without pairs for a symmetric
    /// difference). Everything stored is at most every value not yet loaded, so the tails (fewer than eight values
    /// on one side, the pending eight, the rest of the other side) finish in a small scalar merge.
    /// </summary>
    private static int MergeVector<TMerge>(ushort* a, int na, ushort* b, int nb, ushort* dst)
        where TMerge : struct, IVectorMerge
    {
        var table = PackTable;
        MergeNetwork(Vector128.Load(a), Vector128.Load(b), out var low, out var high);
        var i = 8;
        var j = 8;
        // The first block's predecessor: no run of eight distinct values starts at 65535.
        var k = TMerge.Store(Vector128<ushort>.AllBitsSet, low, dst, table);
        var last = low;
        while (i + 8 <= na && j + 8 <= nb)
        {
            Vector128<ushort> next;
            if (a[i] < b[j])
            {
                next = Vector128.Load(a + i);
                i += 8;
            }
            else
            {
                next = Vector128.Load(b + j);
                j += 8;
            }
            MergeNetwork(next, high, out low, out high);
            k += TMerge.Store(last, low, dst + k, table);
            last = low;
        }
        ushort* pending = stackalloc ushort[24];
        var np = TMerge.StoreLast(last, high, pending, table);
        ushort* rest;
        int nrest;
        if (i + 8 > na)
        {
            np = AppendTail(pending, np, a + i, na - i);
            rest = b + j;
            nrest = nb - j;
        }
        else
        {
            np = AppendTail(pending, np, b + j, nb - j);
            rest = a + i;
            nrest = na - i;
        }
        np = TMerge.FinishPending(pending, np);
        return k + ScalarMerge<TMerge>(pending, np, rest, nrest, dst + k);
    }

    /// <summary>What <see cref="MergeVector{TMerge}"/> keeps of the merged stream: one implementation per operation.</summary>
    private interface IVectorMerge
    {
        /// <summary>Stores the kept values of the sorted block <paramref name="current"/> after <paramref name="previous"/>; returns how many.</summary>
        static abstract int Store(Vector128<ushort> previous, Vector128<ushort> current, ushort* dst, Vector128<byte>[] table);

        /// <summary>Stores the kept values of the last block, <paramref name="high"/>, into the pending buffer; returns how many.</summary>
        static abstract int StoreLast(Vector128<ushort> previous, Vector128<ushort> high, ushort* pending, Vector128<byte>[] table);

        /// <summary>Sorts the small pending buffer and applies the operation within it; returns the new length.</summary>
        static abstract int FinishPending(ushort* buffer, int n);

        /// <summary>Whether a value both sides hold is kept (once).</summary>
        static abstract bool KeepsCommon { get; }
    }

    private readonly struct UnionMerge : IVectorMerge
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static int Store(Vector128<ushort> previous, Vector128<ushort> current, ushort* dst, Vector128<byte>[] table) =>
            StoreUnique(previous, current, dst, table);

        public static int StoreLast(Vector128<ushort> previous, Vector128<ushort> high, ushort* pending, Vector128<byte>[] table) =>
            StoreUnique(previous, high, pending, table);

        public static int FinishPending(ushort* buffer, int n) => SortDistinct(buffer, n);

        public static bool KeepsCommon => true;
    }

    /// <summary>
    /// The merged stream holds each common value twice in a row, and <see cref="StoreSingles"/> keeps, one lane
    /// behind, the values equal to neither neighbour; the last block's lane 7 is decided here.
    /// </summary>
    private readonly struct SymmetricDifferenceMerge : IVectorMerge
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static int Store(Vector128<ushort> previous, Vector128<ushort> current, ushort* dst, Vector128<byte>[] table) =>
            StoreSingles(previous, current, dst, table);

        public static int StoreLast(Vector128<ushort> previous, Vector128<ushort> high, ushort* pending, Vector128<byte>[] table)
        {
            var np = StoreSingles(previous, high, pending, table);
            if (high.GetElement(7) != high.GetElement(6))
            {
                pending[np++] = high.GetElement(7);
            }
            return np;
        }

        public static int FinishPending(ushort* buffer, int n) => SortSingles(buffer, n);

        public static bool KeepsCommon => false;
    }

    /// <summary>
    /// Merges two sorted blocks of eight into the eight smallest (<paramref name="low"/>) and the eight largest
    /// (<paramref name="high"/>), both sorted: a min/max step, then seven rounds of rotating the minima by one
    /// lane against the maxima, and a last rotation.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void MergeNetwork(Vector128<ushort> x, Vector128<ushort> y, out Vector128<ushort> low, out Vector128<ushort> high)
    {
        var min = Sse41.Min(x, y);
        var max = Sse41.Max(x, y);
        for (var round = 0; round < 7; round++)
        {
            var t = RotateLane(min);
            min = Sse41.Min(t, max);
            max = Sse41.Max(t, max);
        }
        low = RotateLane(min);
        high = max;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<ushort> RotateLane(Vector128<ushort> v) => Ssse3.AlignRight(v.AsByte(), v.AsByte(), 2).AsUInt16();

    /// <summary>Stores the lanes of sorted <paramref name="current"/> that differ from their predecessor (lane 7 of <paramref name="previous"/> before lane 0); writes 16 bytes, returns how many values count.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int StoreUnique(Vector128<ushort> previous, Vector128<ushort> current, ushort* dst, Vector128<byte>[] table)
    {
        var before = Ssse3.AlignRight(current.AsByte(), previous.AsByte(), 14).AsUInt16();
        var repeated = Vector128.Equals(before, current);
        var keep = ~(uint)Sse2.MoveMask(Sse2.PackSignedSaturate(repeated.AsInt16(), Vector128<short>.Zero).AsByte()) & 0xFF;
        Ssse3.Shuffle(current.AsByte(), table[keep]).Store((byte*)dst);
        return BitOperations.PopCount(keep);
    }

    /// <summary>
    /// Stores the values of the sorted stream ..., previous, current that occur once, one lane behind: lane 7 of
    /// <paramref name="previous"/> and lanes 0..6 of <paramref name="current"/>, each kept when it equals neither
    /// neighbour. Writes 16 bytes, returns how many values count.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int StoreSingles(Vector128<ushort> previous, Vector128<ushort> current, ushort* dst, Vector128<byte>[] table)
    {
        var middle = Ssse3.AlignRight(current.AsByte(), previous.AsByte(), 14).AsUInt16();
        var left = Ssse3.AlignRight(current.AsByte(), previous.AsByte(), 12).AsUInt16();
        var paired = Vector128.Equals(middle, left) | Vector128.Equals(middle, current);
        var keep = ~(uint)Sse2.MoveMask(Sse2.PackSignedSaturate(paired.AsInt16(), Vector128<short>.Zero).AsByte()) & 0xFF;
        Ssse3.Shuffle(middle.AsByte(), table[keep]).Store((byte*)dst);
        return BitOperations.PopCount(keep);
    }

    private static int AppendTail(ushort* buffer, int n, ushort* tail, int count)
    {
        for (var t = 0; t < count; t++)
        {
            buffer[n++] = tail[t];
        }
        return n;
    }

    /// <summary>Sorts a small buffer (insertion sort) and drops repeated values; returns the new length.</summary>
    private static int SortDistinct(ushort* buffer, int n)
    {
        SortSmall(buffer, n);
        var k = 0;
        for (var t = 0; t < n; t++)
        {
            if (k == 0 || buffer[k - 1] != buffer[t])
            {
                buffer[k++] = buffer[t];
            }
        }
        return k;
    }

    /// <summary>Sorts a small buffer (insertion sort) and drops values that occur twice; returns the new length.</summary>
    private static int SortSingles(ushort* buffer, int n)
    {
        SortSmall(buffer, n);
        var k = 0;
        for (var t = 0; t < n; t++)
        {
            if (k > 0 && buffer[k - 1] == buffer[t])
            {
                k--;
            }
            else
            {
                buffer[k++] = buffer[t];
            }
        }
        return k;
    }

    private static void SortSmall(ushort* buffer, int n)
    {
        for (var t = 1; t < n; t++)
        {
            var v = buffer[t];
            var u = t - 1;
            while (u >= 0 && buffer[u] > v)
            {
                buffer[u + 1] = buffer[u];
                u--;
            }
            buffer[u + 1] = v;
        }
    }

    /// <summary>
    /// The scalar merge of two sorted lists that finishes <see cref="MergeVector{TMerge}"/>'s tails and serves short
    /// inputs: values of one side only are kept, a common value once for a union and not at all for a symmetric
    /// difference (<see cref="IVectorMerge.KeepsCommon"/>).
    /// </summary>
    private static int ScalarMerge<TMerge>(ushort* a, int na, ushort* b, int nb, ushort* dst)
        where TMerge : struct, IVectorMerge
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
                if (TMerge.KeepsCommon)
                {
                    dst[k++] = x;
                }
                i++;
                j++;
            }
        }
        // One side is done: the other's rest is copied whole (on real data often most of an array).
        Buffer.MemoryCopy(a + i, dst + k, 2L * (na - i), 2L * (na - i));
        k += na - i;
        Buffer.MemoryCopy(b + j, dst + k, 2L * (nb - j), 2L * (nb - j));
        return k + nb - j;
    }

    /// <summary>Writes a \ b to <paramref name="dst"/> (room for na; may alias a); returns its length.</summary>
    public static int Difference(ushort* a, int na, ushort* b, int nb, ushort* dst)
    {
        var k = 0;
        if (na * GallopRatio < nb)
        {
            // Few values left: each gallops through b (a long chain of and-nots shrinks its answer to this).
            var from = 0;
            for (var at = 0; at < na; at++)
            {
                var v = a[at];
                from = Advance(b, nb, from, v);
                if (from == nb || b[from] != v)
                {
                    dst[k++] = v;
                }
            }
            return k;
        }
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
        if (Ssse3.IsSupported && na >= 8 && nb >= 8)
        {
            k = DifferenceVector(a, na, b, nb, dst, ref i, ref jj);
        }
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
        // b is done: the rest of a is copied whole (memmove, so also in place).
        Buffer.MemoryCopy(a + i, dst + k, 2L * (na - i), 2L * (na - i));
        return k + na - i;
    }

    /// <summary>
    /// The vector part of <see cref="Difference"/> (na, nb &gt;= 8): blocks of eight while both sides have one; writes
    /// a \ b up to the returned length and leaves in <paramref name="i"/> and <paramref name="j"/> where the scalar
    /// merge goes on. A method of its own so that its cursors stay in registers (inside Difference they were
    /// spilled to the stack, putting a store and a reload on every step).
    /// </summary>
    private static int DifferenceVector(ushort* a, int na, ushort* b, int nb, ushort* dst, ref int i, ref int j)
    {
        // Blocks of eight: collect which lanes of the current block of a matched any block of b, and emit
        // the unmatched lanes (packed by shuffle) once b has passed the block.
        ref var table = ref MemoryMarshal.GetArrayDataReference(PackTable);
        var pa = a;
        var pb = b;
        var pd = dst;
        var aLast = a + na - 8;
        var bLast = b + nb - 8;
        uint found = 0;
        while (pa <= aLast && pb <= bLast)
        {
            var va = Vector128.Load(pa);
            found |= MatchBits(pa, va, pb);
            var amax = pa[7];
            var bmax = pb[7];
            if (amax <= bmax)
            {
                var keep = ~found & 0xFF;
                Ssse3.Shuffle(va.AsByte(), Unsafe.Add(ref table, keep)).Store((byte*)pd);
                pd += BitOperations.PopCount(keep);
                pa += 8;
                found = 0;
            }
            pb += bmax <= amax ? 8 : 0;
        }
        var end = b + nb;
        if (found != 0)
        {
            // The current block met some of b already; finish it against the rest of b value by value.
            for (var lane = 0; lane < 8; lane++)
            {
                var v = pa[lane];
                if ((found & (1u << lane)) != 0)
                {
                    continue;
                }
                while (pb < end && *pb < v)
                {
                    pb++;
                }
                if (pb == end || *pb != v)
                {
                    *pd++ = v;
                }
            }
            pa += 8;
        }
        i = (int)(pa - a);
        j = (int)(pb - b);
        return (int)(pd - dst);
    }

    /// <summary>Writes a ⊕ b to <paramref name="dst"/> (room for na + nb, no alias); returns its length.</summary>
    public static int SymmetricDifference(ushort* a, int na, ushort* b, int nb, ushort* dst)
    {
        if (Sse41.IsSupported && na >= 8 && nb >= 8)
        {
            return MergeVector<SymmetricDifferenceMerge>(a, na, b, nb, dst);
        }
        return ScalarMerge<SymmetricDifferenceMerge>(a, na, b, nb, dst);
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

    /// <summary>
    /// Copies <paramref name="n"/> values from <paramref name="source"/> (may be unaligned) to
    /// <paramref name="destination"/> while checking that they are strictly ascending, in one pass; returns false
    /// (with the destination written, possibly with the bad values) when they are not.
    /// </summary>
    public static bool CopyStrictlyAscending(ushort* source, int n, ushort* destination) => CheckAscending(source, n, destination);

    /// <summary>True when the array is strictly ascending.</summary>
    public static bool IsStrictlyAscending(ushort* a, int n) => CheckAscending(a, n, null);

    /// <summary>
    /// Whether the <paramref name="n"/> values are strictly ascending, copying them to <paramref name="destination"/>
    /// unless it is null: 32 values at a time at 512 bits, else 16 at 256 bits, else one by one.
    /// </summary>
    private static bool CheckAscending(ushort* source, int n, ushort* destination) =>
        Vector512.IsHardwareAccelerated && n > 32
            ? CheckAscending<Vector512Width<ushort>, Vector512<ushort>>(source, n, destination)
            : CheckAscending<Vector256Width<ushort>, Vector256<ushort>>(source, n, destination);

    /// <summary>
    /// <see cref="CheckAscending(ushort*, int, ushort*)"/> at one width (tests run each). Without a branch per block:
    /// each value is compared with its predecessor (the same values loaded one element earlier), a vector at a time,
    /// the failures OR-ed together and tested once; the last block overlaps the one before it instead of finishing
    /// value by value. Values one by one when the width is not accelerated or the values fill no vector.
    /// </summary>
    internal static bool CheckAscending<TWidth, TVector>(ushort* source, int n, ushort* destination)
        where TWidth : struct, IVectorWidth<TVector, ushort>
        where TVector : struct
    {
        if (n > 0 && destination != null)
        {
            // Value 0 has no predecessor; the blocks start at 1.
            destination[0] = source[0];
        }
        if (TWidth.IsHardwareAccelerated && n > TWidth.Count)
        {
            var bad = TWidth.Zero;
            for (var i = 1; ; i += TWidth.Count)
            {
                // The last block ends at n exactly, overlapping its predecessor.
                i = Math.Min(i, n - TWidth.Count);
                var v = TWidth.Load(source + i);
                bad = TWidth.Or(bad, TWidth.LessThanOrEqual(v, TWidth.Load(source + i - 1)));
                if (destination != null)
                {
                    TWidth.Store(v, destination + i);
                }
                if (i == n - TWidth.Count)
                {
                    return TWidth.IsZero(bad);
                }
            }
        }
        var ok = true;
        for (var i = 1; i < n; i++)
        {
            var v = source[i];
            ok &= v > source[i - 1];
            if (destination != null)
            {
                destination[i] = v;
            }
        }
        return ok;
    }

    /// <summary>The first index whose value is &gt;= <paramref name="value"/> (0..65536), or n.</summary>
    public static int LowerBound(ushort* a, int n, int value)
    {
        if (value > ushort.MaxValue)
        {
            return n;
        }
        var i = IndexOf(a, n, (ushort)value);
        return i >= 0 ? i : ~i;
    }

    /// <summary>The smallest value &gt;= <paramref name="value"/>, or -1.</summary>
    public static int NextValue(ushort* a, int n, ushort value)
    {
        var i = LowerBound(a, n, value);
        return i < n ? a[i] : -1;
    }

    /// <summary>The largest value &lt;= <paramref name="value"/>, or -1.</summary>
    public static int PreviousValue(ushort* a, int n, ushort value)
    {
        var i = IndexOf(a, n, value);
        return i >= 0 ? value : ~i > 0 ? a[~i - 1] : -1;
    }

    /// <summary>The smallest value &gt;= <paramref name="value"/> that is not in the array; 65536 when there is none below it.</summary>
    public static int NextAbsent(ushort* a, int n, ushort value)
    {
        var first = IndexOf(a, n, value);
        if (first < 0)
        {
            return value;
        }
        // Values are distinct and ascending, so a[i] - i never decreases: the streak of consecutive values that
        // starts at `first` ends at the last index where a[i] - i still equals value - first.
        var lo = first;
        var hi = n - 1;
        while (lo < hi)
        {
            var mid = (lo + hi + 1) >>> 1;
            if (a[mid] - mid == value - first)
            {
                lo = mid;
            }
            else
            {
                hi = mid - 1;
            }
        }
        return a[lo] + 1;
    }
}
