using CsCheck;
using Roaring.Net.CRoaring;

namespace Bitfuse.Tests.Bitmaps;

public sealed class Bitmap64Tests
{
    private static ulong[] RandomValues(Random rng)
    {
        var n = rng.Next(0, 3000);
        var values = new ulong[n];
        for (var i = 0; i < n; i++)
        {
            var high = (ulong)rng.Next(0, 4) << (rng.Next(2) == 0 ? 32 : 48);
            values[i] = high | (uint)rng.Next(0, 1 << 18);
        }
        return values;
    }

    [Fact]
    public void Operations_match_the_model()
    {
        Gen.Int[0, int.MaxValue].Sample(seed =>
        {
            var rng = new Random(seed);
            var va = RandomValues(rng);
            var vb = RandomValues(rng);
            using var a = Bitmap64.FromValues(va);
            using var b = Bitmap64.FromValues(vb);
            var ma = new SortedSet<ulong>(va);
            var mb = new SortedSet<ulong>(vb);
            Assert.Equal(ma.ToArray(), a.ToArray());
            var and = new SortedSet<ulong>(ma);
            and.IntersectWith(mb);
            var or = new SortedSet<ulong>(ma);
            or.UnionWith(mb);
            var xor = new SortedSet<ulong>(ma);
            xor.SymmetricExceptWith(mb);
            var andNot = new SortedSet<ulong>(ma);
            andNot.ExceptWith(mb);
            using (var r = a.And(b))
            {
                Assert.Equal(and.ToArray(), r.ToArray());
            }
            using (var r = a.Or(b))
            {
                Assert.Equal(or.ToArray(), r.ToArray());
            }
            using (var r = a.Xor(b))
            {
                Assert.Equal(xor.ToArray(), r.ToArray());
            }
            using (var r = a.AndNot(b))
            {
                Assert.Equal(andNot.ToArray(), r.ToArray());
            }
            Assert.Equal(and.Count, a.AndCount(b));
            Assert.Equal(or.Count, a.OrCount(b));
            Assert.Equal(xor.Count, a.XorCount(b));
            Assert.Equal(andNot.Count, a.AndNotCount(b));
            Assert.Equal(and.Count > 0, a.Intersects(b));
            Assert.Equal(ma.IsSubsetOf(mb), a.IsSubsetOf(b));
            foreach (var v in vb.Take(50))
            {
                Assert.Equal(ma.Contains(v), a.Contains(v));
                Assert.Equal(ma.Remove(v), a.Remove(v));
                Assert.True(a.Add(v));
                ma.Add(v);
            }
            Assert.Equal(ma.Count, a.Count);
            if (ma.Count > 0)
            {
                Assert.Equal(ma.Min, a.Min);
                Assert.Equal(ma.Max, a.Max);
                var probe = va.Length > 0 ? va[0] : 0;
                Assert.Equal(ma.Count(v => v <= probe), a.Rank(probe));
            }

            // Portable 64-bit form both ways with CRoaring.
            var bytes = a.Serialize();
            using var native = Roaring64Bitmap.Deserialize(bytes, SerializationFormat.Portable);
            Assert.Equal(ma.ToArray(), native.ToArray());
            using var back = Bitmap64.Deserialize(native.Serialize(SerializationFormat.Portable));
            Assert.True(back.SetEquals(a));
        }, iter: 80);
    }
}
