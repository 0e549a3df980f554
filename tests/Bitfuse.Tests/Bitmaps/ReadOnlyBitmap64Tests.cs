namespace Bitfuse.Tests.Bitmaps;

/// <summary>
/// <see cref="ReadOnlyBitmap64"/> against a SortedSet model: 200 random pairs of sets (the generator of
/// <see cref="Bitmap64SurfaceTests"/>), every forwarded member probed, then a change to the wrapped set seen through
/// the window and disposal ending it.
/// </summary>
public sealed class ReadOnlyBitmap64Tests
{
    [Fact]
    public void Every_member_answers_like_the_model()
    {
        var rng = new Random(6565);
        for (var iteration = 0; iteration < 200; iteration++)
        {
            var (a, modelA) = Bitmap64SurfaceTests.RandomSet(rng);
            var (b, modelB) = Bitmap64SurfaceTests.RandomSet(rng);
            using (a)
            using (b)
            {
                var ra = a.AsReadOnly();
                var rb = b.AsReadOnly();
                var sorted = modelA.ToArray();
                Assert.Equal(modelA.Count, ra.Count);
                Assert.Equal(modelA.Count == 0, ra.IsEmpty);
                Assert.Equal(a.BucketCount, ra.BucketCount);
                if (sorted.Length > 0)
                {
                    Assert.Equal(sorted[0], ra.Min);
                    Assert.Equal(sorted[^1], ra.Max);
                }
                else
                {
                    Assert.Throws<InvalidOperationException>(() => ra.Min);
                }

                var probes = Bitmap64SurfaceTests.Probes(rng, modelA);
                var found = new bool[probes.Length];
                ra.ContainsMany(probes, found);
                for (var i = 0; i < probes.Length; i++)
                {
                    var p = probes[i];
                    var at = Array.BinarySearch(sorted, p);
                    Assert.Equal(at >= 0, ra.Contains(p));
                    Assert.Equal(at >= 0, found[i]);
                    var next = at >= 0 ? at : ~at;
                    var previous = at >= 0 ? at : ~at - 1;
                    Assert.Equal(previous + 1, ra.Rank(p));
                    Assert.Equal(next < sorted.Length ? sorted[next] : null, ra.NextValue(p));
                    Assert.Equal(previous >= 0 ? sorted[previous] : null, ra.PreviousValue(p));
                }
                var rank = rng.Next(sorted.Length + 1);
                Assert.Equal(rank < sorted.Length, ra.TrySelect(rank, out var selected));
                if (rank < sorted.Length)
                {
                    Assert.Equal(sorted[rank], selected);
                    Assert.Equal(sorted[rank], ra.Select(rank));
                }

                var enumerated = new List<ulong>();
                foreach (var v in ra)
                {
                    enumerated.Add(v);
                }
                BitmapModel.AssertValues(sorted, enumerated.ToArray());
                var batched = new List<ulong>();
                ra.ForEach(batch => batched.AddRange(batch.ToArray()));
                BitmapModel.AssertValues(sorted, batched.ToArray());
                var copied = new ulong[sorted.Length];
                Assert.Equal(sorted.Length, ra.CopyTo(copied));
                BitmapModel.AssertValues(sorted, copied);
                BitmapModel.AssertValues(sorted, ra.ToArray());

                CheckPairwise(ra, rb, modelA, modelB);

                using var back = Bitmap64.Deserialize(ra.Serialize());
                Assert.Equal(ra.SerializedSize(), ra.Serialize().Length);
                BitmapModel.AssertValues(sorted, back.ToArray());
                using var copy = ra.ToBitmap64();
                Assert.True(copy.AsReadOnly() == ra);
                Assert.Equal(ra.GetHashCode(), copy.AsReadOnly().GetHashCode());
                copy.Add(ulong.MaxValue - (ulong)iteration);
                Assert.Equal(modelA.Contains(ulong.MaxValue - (ulong)iteration), ra.Contains(ulong.MaxValue - (ulong)iteration));
            }
        }
    }

    private static void CheckPairwise(ReadOnlyBitmap64 ra, ReadOnlyBitmap64 rb, SortedSet<ulong> modelA, SortedSet<ulong> modelB)
    {
        var and = modelA.Intersect(modelB).ToArray();
        var or = modelA.Union(modelB).Order().ToArray();
        var xor = or.Where(v => modelA.Contains(v) != modelB.Contains(v)).ToArray();
        var andNot = modelA.Except(modelB).ToArray();
        using (var r = ra.And(rb))
        { BitmapModel.AssertValues(and, r.ToArray()); }
        using (var r = ra.Or(rb))
        { BitmapModel.AssertValues(or, r.ToArray()); }
        using (var r = ra.Xor(rb))
        { BitmapModel.AssertValues(xor, r.ToArray()); }
        using (var r = ra.AndNot(rb))
        { BitmapModel.AssertValues(andNot, r.ToArray()); }
        using (var r = ra & rb)
        { BitmapModel.AssertValues(and, r.ToArray()); }
        using (var r = ra | rb)
        { BitmapModel.AssertValues(or, r.ToArray()); }
        using (var r = ra ^ rb)
        { BitmapModel.AssertValues(xor, r.ToArray()); }
        using (var r = ra - rb)
        { BitmapModel.AssertValues(andNot, r.ToArray()); }
        using (var r = ReadOnlyBitmap64.OrMany(ra, rb, ra))
        { BitmapModel.AssertValues(or, r.ToArray()); }
        using (var r = ReadOnlyBitmap64.AndMany(ra, rb, ra))
        { BitmapModel.AssertValues(and, r.ToArray()); }
        using (var r = ReadOnlyBitmap64.XorMany(ra, rb, rb))
        { BitmapModel.AssertValues(modelA.ToArray(), r.ToArray()); }
        Assert.Equal(and.Length, ra.AndCount(rb));
        Assert.Equal(or.Length, ra.OrCount(rb));
        Assert.Equal(xor.Length, ra.XorCount(rb));
        Assert.Equal(andNot.Length, ra.AndNotCount(rb));
        Assert.Equal(and.Length > 0, ra.Intersects(rb));
        Assert.Equal(modelA.IsSubsetOf(modelB), ra.IsSubsetOf(rb));
        Assert.Equal(modelA.IsSupersetOf(modelB), ra.IsSupersetOf(rb));
        Assert.Equal(modelA.IsProperSubsetOf(modelB), ra.IsProperSubsetOf(rb));
        Assert.Equal(modelA.IsProperSupersetOf(modelB), ra.IsProperSupersetOf(rb));
        Assert.Equal(modelA.SetEquals(modelB), ra.SetEquals(rb));
        Assert.Equal(modelA.SetEquals(modelB), ra == rb);
    }

    [Fact]
    public void The_window_follows_the_set_and_ends_with_it()
    {
        var set = Bitmap64.FromValues([1, 2, 1UL << 40]);
        var view = set.AsReadOnly();
        set.Add(3);
        Assert.Equal(4, view.Count);
        Assert.True(view.Contains(3));
        var enumerator = view.GetEnumerator();
        Assert.True(enumerator.MoveNext());
        set.Remove(2);
        Assert.Throws<InvalidOperationException>(() => enumerator.MoveNext());
        set.Dispose();
        Assert.Throws<ObjectDisposedException>(() => view.Count);
        Assert.Throws<ObjectDisposedException>(() => view.Contains(1));
        Assert.Throws<ObjectDisposedException>(() => set.AsReadOnly());
    }
}
