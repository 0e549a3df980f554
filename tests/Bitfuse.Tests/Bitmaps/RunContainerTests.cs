using System.Runtime.Intrinsics;
using Bitfuse.Bitmaps;
using CsCheck;

namespace Bitfuse.Tests.Bitmaps;

/// <summary>The run kernels that meet arrays and other run lists (merge and galloping paths) against set models.</summary>
public sealed unsafe class RunContainerTests
{
    /// <summary>Random sorted, disjoint, non-adjacent runs as interleaved (start, length - 1), and their values.</summary>
    private static (ushort[] Runs, HashSet<int> Values) RandomRuns(Random rng)
    {
        var n = rng.Next(1, rng.Next(2) == 0 ? 6 : 300);
        var runs = new List<ushort>();
        var values = new HashSet<int>();
        var next = rng.Next(0, 2000);
        for (var r = 0; r < n && next < 65536; r++)
        {
            var length = rng.Next(1, rng.Next(2) == 0 ? 8 : 400);
            var end = Math.Min(65535, next + length - 1);
            runs.Add((ushort)next);
            runs.Add((ushort)(end - next));
            for (var v = next; v <= end; v++)
            {
                values.Add(v);
            }
            next = end + 2 + rng.Next(0, 600);
        }
        if (rng.Next(8) == 0 && runs.Count > 0)
        {
            // Reach the top of the range, where a run's end + 1 does not fit a ushort.
            var lastStart = runs[^2];
            runs[^1] = (ushort)(65535 - lastStart);
            for (var v = (int)lastStart; v < 65536; v++)
            {
                values.Add(v);
            }
        }
        return ([.. runs], values);
    }

    [Fact]
    public void Run_kernels_match_the_model()
    {
        Gen.Int[0, int.MaxValue].Sample(seed =>
        {
            var rng = new Random(seed);
            var (a, va) = RandomRuns(rng);
            var (b, vb) = RandomRuns(rng);
            var arraySet = new SortedSet<ushort>();
            var count = rng.Next(2) == 0 ? rng.Next(1, 30) : rng.Next(100, 4096);
            for (var k = 0; k < count; k++)
            {
                arraySet.Add((ushort)rng.Next(65536));
            }
            var array = arraySet.ToArray();
            var inRuns = array.Where(v => va.Contains(v)).ToArray();
            var dst = new ushort[array.Length];
            fixed (ushort* pa = a)
            fixed (ushort* pb = b)
            fixed (ushort* pv = array)
            fixed (ushort* pd = dst)
            {
                Assert.Equal(va.Intersect(vb).Count(), RunContainer.IntersectCount(pa, a.Length / 2, pb, b.Length / 2));
                // Xor of the two run lists (and of a list with itself): the model's values, as well-formed runs.
                var xor = new ushort[a.Length + b.Length + 2];
                fixed (ushort* px = xor)
                {
                    var n = RunContainer.Xor(pa, a.Length / 2, pb, b.Length / 2, px);
                    Assert.True(RoaringFormat.RunsWellFormed(px, n, out var total), "xor runs sorted, disjoint and not touching");
                    var expected = va.Except(vb).Union(vb.Except(va)).Order().ToArray();
                    Assert.Equal(expected.Length, total);
                    Assert.Equal(expected, Enumerable.Range(0, n).SelectMany(r => Enumerable.Range(xor[2 * r], xor[2 * r + 1] + 1)).ToArray());
                    Assert.Equal(0, RunContainer.Xor(pa, a.Length / 2, pa, a.Length / 2, px));
                    // Union both ways, with itself and with nothing: the model's values, as well-formed runs.
                    CheckUnion(pa, a.Length / 2, pb, b.Length / 2, px, va.Union(vb));
                    CheckUnion(pb, b.Length / 2, pa, a.Length / 2, px, va.Union(vb));
                    CheckUnion(pa, a.Length / 2, pa, a.Length / 2, px, va);
                    CheckUnion(pa, a.Length / 2, pb, 0, px, va);
                    CheckUnion(pb, 0, pa, a.Length / 2, px, va);
                }
                // Differences both ways (cuts at run starts, ends and inside), of a list with itself and with nothing.
                var difference = new ushort[a.Length + b.Length];
                fixed (ushort* pf = difference)
                {
                    CheckDifference(pa, a.Length / 2, pb, b.Length / 2, pf, va.Except(vb));
                    CheckDifference(pb, b.Length / 2, pa, a.Length / 2, pf, vb.Except(va));
                    CheckDifference(pa, a.Length / 2, pa, a.Length / 2, pf, []);
                    CheckDifference(pa, a.Length / 2, pb, 0, pf, va);
                }
                Assert.Equal(inRuns.Length, RunContainer.CountIn(pa, a.Length / 2, pv, array.Length));
                var outOfRuns = array.Where(v => !va.Contains(v)).ToArray();
                Assert.Equal(outOfRuns, dst[..RunContainer.FilterOut(pa, a.Length / 2, pv, array.Length, pd)]);
                Assert.Equal(inRuns, dst[..RunContainer.FilterIn(pa, a.Length / 2, pv, array.Length, pd)]);
                // In place, as the in-place and does.
                var copy = (ushort[])array.Clone();
                fixed (ushort* pc = copy)
                {
                    Assert.Equal(inRuns, copy[..RunContainer.FilterIn(pa, a.Length / 2, pc, copy.Length, pc)]);
                    array.CopyTo(copy, 0);
                    Assert.Equal(outOfRuns, copy[..RunContainer.FilterOut(pa, a.Length / 2, pc, copy.Length, pc)]);
                }
            }
        }, iter: 1000);

        static void CheckUnion(ushort* a, int na, ushort* b, int nb, ushort* dst, IEnumerable<int> model)
        {
            var n = RunContainer.Union(a, na, b, nb, dst);
            Assert.True(RoaringFormat.RunsWellFormed(dst, n, out var total), "union runs sorted, disjoint and not touching");
            var expected = model.Order().ToArray();
            Assert.Equal(expected.Length, total);
            Assert.Equal(expected.Length, RunContainer.Cardinality(dst, n));
            Assert.Equal(expected, Enumerable.Range(0, n).SelectMany(r => Enumerable.Range(dst[2 * r], dst[2 * r + 1] + 1)).ToArray());
        }

        static void CheckDifference(ushort* a, int na, ushort* b, int nb, ushort* dst, IEnumerable<int> model)
        {
            var n = RunContainer.Difference(a, na, b, nb, dst);
            Assert.InRange(n, 0, na + nb);
            Assert.True(RoaringFormat.RunsWellFormed(dst, n, out var total), "difference runs sorted, disjoint and not touching");
            var expected = model.Order().ToArray();
            Assert.Equal(expected.Length, n == 0 ? 0 : total);
            Assert.Equal(expected, Enumerable.Range(0, n).SelectMany(r => Enumerable.Range(dst[2 * r], dst[2 * r + 1] + 1)).ToArray());
        }
    }

    [Fact]
    public void Run_and_array_containers_combine_like_the_model_in_their_smallest_kind()
    {
        // Or, xor and and-not of a run container and an array container: run lists merged directly while the two
        // lists stay small, through a bitset beyond that (arrays of thousands of scattered values).
        Gen.Int[0, int.MaxValue].Sample(seed =>
        {
            var rng = new Random(seed);
            var (runs, runValues) = RandomRuns(rng);
            var arraySet = new SortedSet<ushort>();
            var count = rng.Next(3) switch { 0 => rng.Next(1, 30), 1 => rng.Next(30, 600), _ => rng.Next(2000, 4097) };
            var clustered = rng.Next(2) == 0;
            var next = rng.Next(65536);
            while (arraySet.Count < count)
            {
                // Clustered arrays form few runs; scattered ones form about one run per value.
                next = clustered && rng.Next(4) != 0 ? (next + 1) & 0xFFFF : rng.Next(65536);
                arraySet.Add((ushort)next);
            }
            using var run = Bitmap.FromValues(runValues.Select(v => (uint)v).Order().ToArray());
            run.Optimize();
            using var array = Bitmap.FromValues(arraySet.Select(v => (uint)v).ToArray());
            if (run.ContainerAt(0).Kind != ContainerKind.Run || array.ContainerAt(0).Kind != ContainerKind.Array)
            {
                return;
            }
            var r = runValues.Select(v => (uint)v).ToHashSet();
            var a = arraySet.Select(v => (uint)v).ToHashSet();
            Check(run.Or(array), r.Union(a));
            Check(array.Or(run), r.Union(a));
            Check(run.Xor(array), r.Except(a).Union(a.Except(r)));
            Check(array.Xor(run), r.Except(a).Union(a.Except(r)));
            Check(run.AndNot(array), r.Except(a));
            // Array \ run filters the array and keeps it an array (as CRoaring does): values only.
            Check(array.AndNot(run), a.Except(r), kindRule: false);
            // Run with run: merged in the stack buffer, then given their smallest kind.
            var (_, otherValues) = RandomRuns(rng);
            using var other = Bitmap.FromValues(otherValues.Select(v => (uint)v).Order().ToArray());
            other.Optimize();
            var o = otherValues.Select(v => (uint)v).ToHashSet();
            // Random runs can optimise to an array (a few short runs): then these are run-with-array operations,
            // and an array minus anything stays an array, so the smallest-kind rule is checked only for two runs.
            var twoRuns = other.ContainerAt(0).Kind == ContainerKind.Run;
            Check(run.And(other), r.Intersect(o), twoRuns);
            Check(run.Or(other), r.Union(o), twoRuns);
            Check(run.Xor(other), r.Except(o).Union(o.Except(r)), twoRuns);
            Check(run.AndNot(other), r.Except(o), twoRuns);
            Check(other.AndNot(run), o.Except(r), twoRuns);
        }, iter: 600);

        // Lists of 1,500 runs each (more than the stack buffer takes together), overlapping by one value per run.
        using var left = Bitmap.FromValues([.. Enumerable.Range(0, 1500).SelectMany(i => Enumerable.Range(43 * i, 3)).Select(v => (uint)v)]);
        using var right = Bitmap.FromValues([.. Enumerable.Range(0, 1500).SelectMany(i => Enumerable.Range(43 * i + 2, 3)).Select(v => (uint)v)]);
        left.Optimize();
        right.Optimize();
        Assert.Equal(ContainerKind.Run, left.ContainerAt(0).Kind);
        var l = left.ToArray().ToHashSet();
        var g = right.ToArray().ToHashSet();
        Check(left.And(right), l.Intersect(g));
        Check(left.Or(right), l.Union(g));
        Check(left.Xor(right), l.Except(g).Union(g.Except(l)));
        Check(left.AndNot(right), l.Except(g));

        static void Check(Bitmap result, IEnumerable<uint> expected, bool kindRule = true)
        {
            using (result)
            {
                Assert.Equal(expected.Order().ToArray(), result.ToArray());
                if (result.IsEmpty || !kindRule)
                {
                    return;
                }
                ref readonly var c = ref result.ContainerAt(0);
                var values = result.ToArray();
                var runCount = 1 + values.Zip(values.Skip(1)).Count(p => p.Second != p.First + 1);
                if (c.Kind == ContainerKind.Run)
                {
                    Assert.True(ContainerAlgebra.RunIsSmallest(c.Length, c.Cardinality), "a run result that another kind beats");
                    Assert.Equal(runCount, c.Length);
                }
                else
                {
                    Assert.Equal(values.Length <= ContainerAlgebra.ArrayMax ? ContainerKind.Array : ContainerKind.Bitset, c.Kind);
                    Assert.False(2 + 4 * runCount < Math.Min(8192, 2 * values.Length), "a plain result that runs beat");
                }
            }
        }
    }

    [Fact]
    public void A_run_that_ends_at_the_last_value_extracts_without_wrapping()
    {
        using var top = Bitmap.FromRange(0xFFFF_0000, 1L << 32);
        top.Add(5);
        top.Optimize();

        var values = top.ToArray();

        Assert.Equal(65537, values.Length);
        Assert.Equal(5u, values[0]);
        Assert.Equal(0xFFFF_0000u, values[1]);
        Assert.Equal(uint.MaxValue, values[^1]);
        Assert.Equal(top.Count, values.LongLength);
        Assert.Equal(values, top.ToArray().Order());
    }

    [Fact]
    public void Run_validation_matches_a_scalar_model()
    {
        Gen.Int[0, int.MaxValue].Sample(seed =>
        {
            var rng = new Random(seed);
            var (runs, values) = RandomRuns(rng);
            var corrupted = rng.Next(2) == 0 && runs.Length > 0;
            if (corrupted)
            {
                // Corrupt one field: overlap, touch, reorder or overflow past 65535 somewhere in the list.
                var at = rng.Next(runs.Length);
                runs[at] = rng.Next(3) switch
                {
                    0 => (ushort)rng.Next(65536),
                    1 => (ushort)(runs[at] + rng.Next(1, 50)),
                    _ => (ushort)Math.Max(0, runs[at] - rng.Next(1, 50)),
                };
            }
            var n = runs.Length / 2;
            var expectedOk = true;
            var expectedTotal = 0;
            var previousEnd = -2;
            for (var r = 0; r < n; r++)
            {
                int start = runs[2 * r];
                var end = start + runs[2 * r + 1];
                expectedOk &= end <= 65535 && start > previousEnd + 1;
                previousEnd = end;
                expectedTotal += end - start + 1;
            }
            fixed (ushort* p = runs)
            {
                var ok = RoaringFormat.RunsWellFormed(p, n, out var total);
                Assert.Equal(expectedOk, ok);
                if (ok)
                {
                    Assert.Equal(expectedTotal, total);
                }
                // Each width of the shared body, whichever the dispatch picks on this machine.
                Assert.Equal(expectedOk, RoaringFormat.RunsWellFormed<Vector512Width<int>, Vector512<int>>(p, n, out var total512));
                Assert.Equal(expectedOk, RoaringFormat.RunsWellFormed<Vector256Width<int>, Vector256<int>>(p, n, out var total256));
                if (ok)
                {
                    Assert.Equal(expectedTotal, total512);
                    Assert.Equal(expectedTotal, total256);
                }
            }
            if (!corrupted)
            {
                // Untouched runs are well formed and hold exactly the model's values.
                Assert.True(expectedOk);
                Assert.Equal(values.Count, expectedTotal);
            }
        }, iter: 2000);
    }
}
