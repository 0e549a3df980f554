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
}
