using Bitfuse.Bitmaps;
using CsCheck;

namespace Bitfuse.Tests.Bitmaps;

public sealed class BitmapPropertyTests
{
    private static readonly Gen<int> Seeds = Gen.Int[0, int.MaxValue];

    [Fact]
    public void Pairwise_operations_match_the_model()
    {
        Seeds.Sample(seed =>
        {
            var rng = new Random(seed);
            var (a, ma) = BitmapModel.Random(rng);
            var (b, mb) = BitmapModel.Random(rng);
            using (a)
            using (b)
            {
                var and = new SortedSet<uint>(ma);
                and.IntersectWith(mb);
                var or = new SortedSet<uint>(ma);
                or.UnionWith(mb);
                var xor = new SortedSet<uint>(ma);
                xor.SymmetricExceptWith(mb);
                var andNot = new SortedSet<uint>(ma);
                andNot.ExceptWith(mb);

                using (var r = a.And(b))
                {
                    BitmapModel.AssertSame(and, r);
                }
                using (var r = a.Or(b))
                {
                    BitmapModel.AssertSame(or, r);
                }
                using (var r = a.Xor(b))
                {
                    BitmapModel.AssertSame(xor, r);
                }
                using (var r = a.AndNot(b))
                {
                    BitmapModel.AssertSame(andNot, r);
                }
                Assert.Equal(and.Count, a.AndCount(b));
                Assert.Equal(or.Count, a.OrCount(b));
                Assert.Equal(xor.Count, a.XorCount(b));
                Assert.Equal(andNot.Count, a.AndNotCount(b));
                Assert.Equal(and.Count > 0, a.Intersects(b));
                Assert.Equal(ma.IsSubsetOf(mb), a.IsSubsetOf(b));
                Assert.Equal(ma.SetEquals(mb), a.SetEquals(b));
                BitmapModel.AssertSame(ma, a);
                BitmapModel.AssertSame(mb, b);
            }
        }, iter: 200);
    }

    [Fact]
    public void In_place_operations_match_the_model()
    {
        Seeds.Sample(seed =>
        {
            var rng = new Random(seed);
            var (a, ma) = BitmapModel.Random(rng);
            var (b, mb) = BitmapModel.Random(rng);
            using (a)
            using (b)
            {
                foreach (var op in new[] { 0, 1, 2, 3 })
                {
                    using var x = a.Clone();
                    var mx = new SortedSet<uint>(ma);
                    switch (op)
                    {
                        case 0:
                            x.AndInPlace(b);
                            mx.IntersectWith(mb);
                            break;
                        case 1:
                            x.OrInPlace(b);
                            mx.UnionWith(mb);
                            break;
                        case 2:
                            x.XorInPlace(b);
                            mx.SymmetricExceptWith(mb);
                            break;
                        default:
                            x.AndNotInPlace(b);
                            mx.ExceptWith(mb);
                            break;
                    }
                    BitmapModel.AssertSame(mx, x);
                }
                BitmapModel.AssertSame(mb, b);
            }
        }, iter: 200);
    }

    [Fact]
    public void Deserialized_bitmaps_change_in_place_like_the_model()
    {
        // A deserialized bitmap packs its payloads into one block its containers do not own: every change must
        // still work on them (in place within their length, or by replacing them) and never free the block early.
        Seeds.Sample(seed =>
        {
            var rng = new Random(seed);
            var (source, model) = BitmapModel.Random(rng);
            var (other, mo) = BitmapModel.Random(rng);
            using (source)
            using (other)
            {
                var bytes = source.Serialize();
                for (var op = 0; op < 7; op++)
                {
                    using var x = Bitmap.Deserialize(bytes);
                    var mx = new SortedSet<uint>(model);
                    BitmapModel.AssertSame(mx, x);
                    long payload = 0;
                    foreach (var c in x.Containers)
                    {
                        payload += c.Kind == ContainerKind.Bitset ? 8192 : c.Kind == ContainerKind.Array ? 2 * c.Length : 4 * c.Length;
                    }
                    Assert.True(x.GetStatistics().PayloadBytes >= payload, "the packed block counts as payload");
                    switch (op)
                    {
                        case 0:
                            x.AndInPlace(other);
                            mx.IntersectWith(mo);
                            break;
                        case 1:
                            x.OrInPlace(other);
                            mx.UnionWith(mo);
                            break;
                        case 2:
                            x.XorInPlace(other);
                            mx.SymmetricExceptWith(mo);
                            break;
                        case 3:
                            x.AndNotInPlace(other);
                            mx.ExceptWith(mo);
                            break;
                        case 4:
                            for (var i = 0; i < 3000; i++)
                            {
                                var v = (uint)rng.Next(4) << 16 | (uint)rng.Next(65536);
                                Assert.Equal(mx.Add(v), x.Add(v));
                                var w = (uint)rng.Next(4) << 16 | (uint)rng.Next(65536);
                                Assert.Equal(mx.Remove(w), x.Remove(w));
                            }
                            break;
                        case 5:
                            {
                                var start = (long)rng.Next(0, 4 << 16);
                                var end = Math.Min(start + rng.Next(1, 90000), 4L << 16);
                                x.FlipRange(start, end);
                                for (var v = start; v < end; v++)
                                {
                                    if (!mx.Remove((uint)v))
                                    {
                                        mx.Add((uint)v);
                                    }
                                }
                                break;
                            }
                        default:
                            x.Optimize();
                            using (var copy = x.Clone())
                            {
                                BitmapModel.AssertSame(mx, copy);
                            }
                            break;
                    }
                    BitmapModel.AssertSame(mx, x);
                }
            }
        }, iter: 200);
    }

    [Fact]
    public void Single_value_changes_cross_the_4096_boundary_both_ways()
    {
        Seeds.Sample(seed =>
        {
            var rng = new Random(seed);
            using var bitmap = new Bitmap();
            var model = new HashSet<uint>();
            var key = (uint)rng.Next(3) << 16;
            for (var i = 0; i < 4200; i++)
            {
                var v = key | (uint)rng.Next(8192);
                Assert.Equal(model.Add(v), bitmap.Add(v));
            }
            for (var i = 0; i < 4300; i++)
            {
                var v = key | (uint)rng.Next(8192);
                Assert.Equal(model.Remove(v), bitmap.Remove(v));
                if (i % 97 == 0)
                {
                    BitmapModel.AssertValid(bitmap);
                    Assert.Equal(model.Count, bitmap.Count);
                }
            }
            for (var i = 0; i < 2000; i++)
            {
                var v = key | (uint)rng.Next(8192);
                Assert.Equal(model.Contains(v), bitmap.Contains(v));
            }
            BitmapModel.AssertSame(new SortedSet<uint>(model), bitmap);
        }, iter: 200);
    }

    [Fact]
    public void Ranges_match_the_model()
    {
        Seeds.Sample(seed =>
        {
            var rng = new Random(seed);
            var (a, model) = BitmapModel.Random(rng);
            using (a)
            {
                for (var step = 0; step < 6; step++)
                {
                    long start = rng.Next(0, 4 << 16);
                    var end = Math.Min(start + rng.Next(0, 70_000), 1L << 32);
                    switch (rng.Next(4))
                    {
                        case 0:
                            a.AddRange(start, end);
                            for (var v = start; v < end; v++)
                            {
                                model.Add((uint)v);
                            }
                            break;
                        case 1:
                            a.RemoveRange(start, end);
                            model.RemoveWhere(v => v >= start && v < end);
                            break;
                        case 2:
                            a.FlipRange(start, end);
                            for (var v = start; v < end; v++)
                            {
                                if (!model.Remove((uint)v))
                                {
                                    model.Add((uint)v);
                                }
                            }
                            break;
                        default:
                            using (var not = a.Not(start, end))
                            {
                                var expected = new SortedSet<uint>(model);
                                for (var v = start; v < end; v++)
                                {
                                    if (!expected.Remove((uint)v))
                                    {
                                        expected.Add((uint)v);
                                    }
                                }
                                BitmapModel.AssertSame(expected, not);
                            }
                            break;
                    }
                    BitmapModel.AssertSame(model, a);
                }
            }
        }, iter: 200);
    }

    [Fact]
    public void Queries_match_the_model()
    {
        Seeds.Sample(seed =>
        {
            var rng = new Random(seed);
            var (a, model) = BitmapModel.Random(rng);
            using (a)
            {
                var values = model.ToArray();
                if (values.Length > 0)
                {
                    Assert.Equal(values[0], a.Min);
                    Assert.Equal(values[^1], a.Max);
                }
                else
                {
                    Assert.Throws<InvalidOperationException>(() => a.Min);
                }
                for (var i = 0; i < 200; i++)
                {
                    var probe = (uint)rng.Next(0, 5 << 16);
                    Assert.Equal(model.Contains(probe), a.Contains(probe));
                    var rank = Array.BinarySearch(values, probe);
                    var expectedRank = rank >= 0 ? rank + 1 : ~rank;
                    Assert.Equal(expectedRank, a.Rank(probe));
                    if (values.Length > 0)
                    {
                        var index = rng.Next(values.Length);
                        Assert.Equal(values[index], a.Select(index));
                    }
                }
                var enumerated = new List<uint>();
                foreach (var v in a)
                {
                    enumerated.Add(v);
                }
                Assert.Equal(values, enumerated);
                var buffer = new uint[values.Length + 3];
                Assert.Equal(values.Length, a.CopyTo(buffer));
                Assert.Equal(values, buffer[..values.Length]);
                using var clone = a.Clone();
                Assert.True(clone.SetEquals(a));
                clone.Optimize();
                BitmapModel.AssertSame(model, clone);
                var stats = clone.GetStatistics();
                Assert.Equal(model.Count, stats.ArrayValues + stats.BitsetValues + stats.RunValues);
                Assert.Equal(clone.ContainerCount, stats.Containers);
            }
        }, iter: 200);
    }

    [Fact]
    public void FromValues_accepts_unsorted_input_with_duplicates()
    {
        Gen.UInt.Array[0, 3000].Sample(values =>
        {
            using var bitmap = Bitmap.FromValues(values);
            BitmapModel.AssertSame(new SortedSet<uint>(values), bitmap);
        }, iter: 200);
    }

    [Fact]
    public void Whole_range_and_edges_of_the_value_space()
    {
        using var all = Bitmap.FromRange(0, 1L << 32);
        Assert.Equal(1L << 32, all.Count);
        Assert.Equal(0u, all.Min);
        Assert.Equal(uint.MaxValue, all.Max);
        Assert.True(all.Contains(uint.MaxValue));
        Assert.Equal(1L << 32, all.Rank(uint.MaxValue));
        Assert.Equal(uint.MaxValue - 5, all.Select((1L << 32) - 6));
        using var none = all.Not(0, 1L << 32);
        Assert.True(none.IsEmpty);
        Assert.Throws<ArgumentOutOfRangeException>(() => all.Not(5, 4));
        Assert.Throws<ArgumentOutOfRangeException>(() => all.Not(0, (1L << 32) + 1));
    }
}
