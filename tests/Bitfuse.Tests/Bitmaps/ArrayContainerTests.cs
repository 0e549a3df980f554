using System.Runtime.Intrinsics;
using Bitfuse.Bitmaps;
using CsCheck;

namespace Bitfuse.Tests.Bitmaps;

/// <summary>The array kernels (vector block paths, galloping and scalar tails) against sorted-set models.</summary>
public sealed unsafe class ArrayContainerTests
{
    private static ushort[] SortedDistinct(Random rng, int max, int range)
    {
        var n = rng.Next(0, max + 1);
        var set = new SortedSet<ushort>();
        var start = rng.Next(0, 65536 - range + 1);
        for (var k = 0; k < n; k++)
        {
            set.Add((ushort)(start + rng.Next(range)));
        }
        return [.. set];
    }

    [Fact]
    public void Kernels_match_the_model()
    {
        Gen.Int[0, int.MaxValue].Sample(seed =>
        {
            var rng = new Random(seed);
            var range = rng.Next(2) == 0 ? 512 : 65536;
            var a = SortedDistinct(rng, rng.Next(2) == 0 ? 40 : 3000, range);
            var b = SortedDistinct(rng, rng.Next(2) == 0 ? 40 : 3000, range);
            var and = a.Intersect(b).ToArray();
            var or = a.Union(b).Order().ToArray();
            var andNot = a.Except(b).ToArray();
            var xor = a.Except(b).Union(b.Except(a)).Order().ToArray();
            var dst = new ushort[a.Length + b.Length + ArrayContainer.IntersectSlack];
            fixed (ushort* pa = a)
            fixed (ushort* pb = b)
            fixed (ushort* pd = dst)
            {
                Assert.Equal(and, dst[..ArrayContainer.Intersect(pa, a.Length, pb, b.Length, pd)]);
                Assert.Equal(and.Length, ArrayContainer.IntersectCount(pa, a.Length, pb, b.Length));
                Assert.Equal(and.Length > 0, ArrayContainer.Intersects(pa, a.Length, pb, b.Length));
                Assert.Equal(or, dst[..ArrayContainer.Union(pa, a.Length, pb, b.Length, pd)]);
                Assert.Equal(andNot, dst[..ArrayContainer.Difference(pa, a.Length, pb, b.Length, pd)]);
                Assert.Equal(xor, dst[..ArrayContainer.SymmetricDifference(pa, a.Length, pb, b.Length, pd)]);
            }
            // In place: a \ b written over a itself.
            var inPlace = a.ToArray();
            fixed (ushort* pa = inPlace)
            fixed (ushort* pb = b)
            {
                Assert.Equal(andNot, inPlace[..ArrayContainer.Difference(pa, a.Length, pb, b.Length, pa)]);
            }
        }, iter: 2000);
    }

    [Fact]
    public void Intersect_in_place_matches_the_model()
    {
        Gen.Int[0, int.MaxValue].Sample(seed =>
        {
            var rng = new Random(seed);
            var range = rng.Next(3) switch { 0 => 64, 1 => 512, _ => 8192 };
            var a = SortedDistinct(rng, rng.Next(2) == 0 ? 40 : 3000, range);
            var b = SortedDistinct(rng, rng.Next(2) == 0 ? 40 : 3000, range);
            var and = a.Intersect(b).ToArray();
            var inPlace = new ushort[a.Length + ArrayContainer.IntersectSlack];
            a.CopyTo(inPlace, 0);
            fixed (ushort* pa = inPlace)
            fixed (ushort* pb = b)
            {
                Assert.Equal(and, inPlace[..ArrayContainer.Intersect(pa, a.Length, pb, b.Length, pa)]);
            }
        }, iter: 2000);
    }

    [Fact]
    public void The_ascending_check_finds_a_fault_at_every_position_of_every_length_and_copies_what_it_reads()
    {
        // Lengths around the scalar, 16-value and 32-value paths and their overlapping last blocks.
        var rng = new Random(7);
        for (var n = 0; n <= 100; n++)
        {
            var values = Enumerable.Range(0, n).Select(i => (ushort)(300 + 3 * i + rng.Next(3))).ToArray();
            Check(values, expected: true);
            for (var at = 1; at < n; at++)
            {
                var equal = (ushort[])values.Clone();
                equal[at] = equal[at - 1];
                Check(equal, expected: false);
                var descending = (ushort[])values.Clone();
                descending[at] = (ushort)(descending[at - 1] - 1);
                Check(descending, expected: false);
            }
        }
        // Unsigned order: 0x8000 and above follow 0x7FFF.
        Check([.. Enumerable.Range(0x7FF0, 40).Select(v => (ushort)v)], expected: true);
        Check([.. Enumerable.Range(0x7FF0, 40).Select(v => (ushort)(v == 0x8005 ? 0x10 : v))], expected: false);
        Check([.. Enumerable.Range(65536 - 40, 40).Select(v => (ushort)v)], expected: true);

        static void Check(ushort[] values, bool expected)
        {
            var copy = new ushort[values.Length + 1];
            copy[^1] = 0xBEEF;
            fixed (ushort* pv = values)
            fixed (ushort* pc = copy)
            {
                Assert.Equal(expected, ArrayContainer.IsStrictlyAscending(pv, values.Length));
                Assert.Equal(expected, ArrayContainer.CopyStrictlyAscending(pv, values.Length, pc));
            }
            Assert.Equal(values, copy[..values.Length]);
            Assert.Equal(0xBEEF, copy[^1]);
            // Each width of the shared body, whichever the dispatch picks on this machine.
            CheckWidth<Vector512Width<ushort>, Vector512<ushort>>(values, expected);
            CheckWidth<Vector256Width<ushort>, Vector256<ushort>>(values, expected);
        }

        static void CheckWidth<TWidth, TVector>(ushort[] values, bool expected)
            where TWidth : struct, IVectorWidth<TVector, ushort>
            where TVector : struct
        {
            var copy = new ushort[values.Length + 1];
            copy[^1] = 0xBEEF;
            fixed (ushort* pv = values)
            fixed (ushort* pc = copy)
            {
                Assert.Equal(expected, ArrayContainer.CheckAscending<TWidth, TVector>(pv, values.Length, null));
                Assert.Equal(expected, ArrayContainer.CheckAscending<TWidth, TVector>(pv, values.Length, pc));
            }
            Assert.Equal(values, copy[..values.Length]);
            Assert.Equal(0xBEEF, copy[^1]);
        }
    }
}
