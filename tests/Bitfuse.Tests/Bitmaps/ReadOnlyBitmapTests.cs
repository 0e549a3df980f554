using System.Reflection;

namespace Bitfuse.Tests.Bitmaps;

/// <summary>
/// <see cref="ReadOnlyBitmap"/> against a sorted-set model and against the bitmap it wraps: 200 random pairs of
/// 16-key bitmaps, wrapped either live (<see cref="Bitmap.AsReadOnly"/>) or as a view of their serialized bytes.
/// </summary>
public sealed class ReadOnlyBitmapTests
{
    [Fact]
    public void Every_forwarded_member_answers_like_the_model_and_the_wrapped_bitmap()
    {
        var rng = new Random(1515);
        for (var iteration = 0; iteration < 200; iteration++)
        {
            var (a, modelA) = BitmapModel.RandomWithEdges(rng);
            var (b, modelB) = BitmapModel.Random(rng, keys: 16);
            using (a)
            using (b)
            {
                using var r = iteration % 2 == 0 ? a.AsReadOnly() : ReadOnlyBitmap.CreateView(a.Serialize());
                var rb = b.AsReadOnly();
                var sorted = modelA.ToArray();
                CheckValues(rng, r, modelA, sorted);
                CheckProbes(rng, r, modelA, sorted);
                CheckRanges(rng, r, sorted);
                CheckPairwise(r, a, modelA, b, rb, modelB);
                CheckWholeBitmap(rng, r, a, modelA, live: iteration % 2 == 0);
            }
        }
    }

    [Fact]
    public void AsReadOnly_is_a_live_view_and_its_enumerator_throws_after_a_change()
    {
        using var bitmap = Bitmap.FromValues([1, 2, 3, 70_000]);
        var view = bitmap.AsReadOnly();
        Assert.Equal(4, view.Count);

        bitmap.Add(5);
        bitmap.AddRange(1_000_000, 1_000_100);
        bitmap.Remove(2);
        Assert.Equal(104, view.Count);
        Assert.True(view.Contains(5));
        Assert.False(view.Contains(2));
        Assert.Equal(1_000_099u, view.Max);
        Assert.Equal(bitmap.ToArray(), view.ToArray());

        var enumerator = view.GetEnumerator();
        Assert.True(enumerator.MoveNext());
        Assert.Equal(1u, enumerator.Current);
        bitmap.Add(4);
        Assert.Throws<InvalidOperationException>(() => enumerator.MoveNext());

        var reader = view.GetReader();
        bitmap.Remove(4);
        Assert.Throws<InvalidOperationException>(() => reader.Read(new uint[8]));

        // A copy does not follow the bitmap, and changing the copy does not reach the view.
        using var copy = view.ToBitmap();
        Assert.False(copy.IsReadOnly);
        bitmap.Add(9);
        copy.Add(11);
        Assert.True(view.Contains(9));
        Assert.False(copy.Contains(9));
        Assert.False(view.Contains(11));

        // Disposing the wrapper leaves the bitmap alone; disposing the bitmap ends the wrapper.
        view.Dispose();
        Assert.True(bitmap.Contains(9));
        Assert.True(view.Contains(9));
        bitmap.Dispose();
        Assert.Throws<ObjectDisposedException>(() => view.Count);
        Assert.Throws<ObjectDisposedException>(() => view.Contains(9));
        Assert.Throws<ObjectDisposedException>(() => bitmap.AsReadOnly());
    }

    [Fact]
    public void A_view_of_serialized_bytes_answers_like_the_deserialized_bitmap()
    {
        var rng = new Random(2727);
        for (var iteration = 0; iteration < 40; iteration++)
        {
            var (source, model) = BitmapModel.RandomWithEdges(rng);
            var (other, _) = BitmapModel.Random(rng, keys: 16);
            using (source)
            using (other)
            {
                var bytes = source.Serialize();
                var shift = rng.Next(0, 8);
                var padded = new byte[bytes.Length + shift];
                bytes.CopyTo(padded, shift);
                var view = ReadOnlyBitmap.CreateView(padded.AsMemory(shift));
                using var owned = Bitmap.Deserialize(bytes);
                BitmapModel.AssertSame(model, owned);
                Assert.Equal(owned.ToArray(), view.ToArray());
                Assert.Equal(owned.Count, view.Count);
                foreach (var p in BitmapModel.Probes(rng, owned.ToArray()))
                {
                    Assert.Equal(owned.Contains(p), view.Contains(p));
                    Assert.Equal(owned.Rank(p), view.Rank(p));
                    Assert.Equal(owned.NextValue(p), view.NextValue(p));
                    Assert.Equal(owned.PreviousValue(p), view.PreviousValue(p));
                }
                Assert.Equal(owned.AndCount(other), view.AndCount(other));
                using (var x = view ^ other)
                using (var y = owned ^ other)
                {
                    Assert.Equal(y, x);
                }
                Assert.Equal(bytes, view.Serialize());
                Assert.Equal(owned.GetHashCode(), view.GetHashCode());

                // The view owns what CreateView made: disposing it releases the pin and ends it.
                view.Dispose();
                Assert.Throws<ObjectDisposedException>(() => view.Count);
            }
        }
        using var small = Bitmap.FromValues([1, 2, 3]);
        var broken = small.Serialize()[..^1];
        Assert.Throws<InvalidDataException>(() => ReadOnlyBitmap.CreateView(broken));
    }

    [Fact]
    public void The_type_has_no_mutator_and_every_read_member_exists_on_Bitmap()
    {
        string[] mutators =
        [
            "Add", "Remove", "AddMany", "RemoveMany", "AddRange", "RemoveRange", "FlipRange", "Optimize",
            "AndInPlace", "OrInPlace", "XorInPlace", "AndNotInPlace", "Clear",
        ];
        var methods = typeof(ReadOnlyBitmap).GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly);
        Assert.DoesNotContain(methods, m => mutators.Contains(m.Name));
        Assert.DoesNotContain(typeof(ReadOnlyBitmap).GetProperties(), p => p.CanWrite);
        foreach (var method in methods.Where(m => m.Name is not ("ToBitmap" or "Dispose")))
        {
            // The same member on Bitmap, a ReadOnlyBitmap parameter standing for a Bitmap one.
            var parameters = method.GetParameters()
                .Select(p => p.ParameterType == typeof(ReadOnlyBitmap) ? typeof(Bitmap) : p.ParameterType)
                .ToArray();
            var counterpart = typeof(Bitmap).GetMethod(method.Name, BindingFlags.Public | BindingFlags.Instance, parameters);
            Assert.True(counterpart is not null, $"Bitmap has no {method}");
        }
    }

    private static void CheckValues(Random rng, ReadOnlyBitmap r, SortedSet<uint> model, uint[] sorted)
    {
        Assert.Equal(model.Count, r.Count);
        Assert.Equal(model.Count, ((IReadOnlyCollection<uint>)r).Count);
        Assert.Equal(model.Count == 0, r.IsEmpty);
        if (model.Count == 0)
        {
            Assert.Throws<InvalidOperationException>(() => r.Min);
            Assert.Throws<InvalidOperationException>(() => r.Max);
        }
        else
        {
            Assert.Equal(model.Min, r.Min);
            Assert.Equal(model.Max, r.Max);
        }
        BitmapModel.AssertValues(sorted, r.ToArray());
        var enumerated = new List<uint>(sorted.Length);
        foreach (var v in r)
        {
            enumerated.Add(v);
        }
        BitmapModel.AssertValues(sorted, [.. enumerated]);
        BitmapModel.AssertValues(sorted, [.. (IEnumerable<uint>)r]);
        var descending = new List<uint>(sorted.Length);
        foreach (var v in r.Descending())
        {
            descending.Add(v);
        }
        descending.Reverse();
        BitmapModel.AssertValues(sorted, [.. descending]);
        var copied = new uint[sorted.Length];
        Assert.Equal(sorted.Length, r.CopyTo(copied));
        BitmapModel.AssertValues(sorted, copied);
        var read = new List<uint>(sorted.Length);
        var reader = r.GetReader();
        var batch = new uint[1000];
        int n;
        while ((n = reader.Read(batch)) > 0)
        {
            read.AddRange(batch.AsSpan(0, n));
        }
        BitmapModel.AssertValues(sorted, [.. read]);
        for (var i = 0; i < 4 && sorted.Length > 0; i++)
        {
            var index = rng.Next(sorted.Length);
            Assert.Equal(sorted[index], r.Select(index));
            Assert.True(r.TrySelect(index, out var selected));
            Assert.Equal(sorted[index], selected);
        }
        Assert.False(r.TrySelect(sorted.Length, out _));
    }

    private static void CheckProbes(Random rng, ReadOnlyBitmap r, SortedSet<uint> model, uint[] sorted)
    {
        var probes = BitmapModel.Probes(rng, sorted);
        var contained = new bool[probes.Length];
        r.ContainsMany(probes, contained);
        var ranks = new long[probes.Length];
        r.Rank(probes, ranks);
        for (var i = 0; i < probes.Length; i++)
        {
            var p = probes[i];
            var below = UpperBound(sorted, p);
            Assert.Equal(model.Contains(p), r.Contains(p));
            Assert.Equal(model.Contains(p), contained[i]);
            Assert.Equal(below, r.Rank(p));
            Assert.Equal(below, ranks[i]);
            var atOrAbove = below > 0 && sorted[below - 1] == p ? below - 1 : below;
            Assert.Equal(atOrAbove < sorted.Length ? sorted[atOrAbove] : null, r.NextValue(p));
            Assert.Equal(below > 0 ? sorted[below - 1] : null, r.PreviousValue(p));
            Assert.Equal(NextAbsent(sorted, atOrAbove, p), r.NextAbsentValue(p));
        }
    }

    private static void CheckRanges(Random rng, ReadOnlyBitmap r, uint[] sorted)
    {
        var probes = BitmapModel.Probes(rng, sorted);
        for (var i = 0; i < 24; i++)
        {
            long x = probes[rng.Next(probes.Length)];
            long y = probes[rng.Next(probes.Length)] + (long)rng.Next(2);
            var (start, end) = x <= y ? (x, y) : (y, x);
            long inside = UpperBound(sorted, end - 1) - UpperBound(sorted, start - 1);
            if (start == end)
            {
                inside = 0;
            }
            Assert.Equal(inside, r.RangeCount(start, end));
            Assert.Equal(inside == end - start, r.ContainsRange(start, end));
            Assert.Equal(inside > 0, r.IntersectsRange(start, end));
            var each = new List<uint>();
            r.ForEach(span => each.AddRange(span), start, end);
            BitmapModel.AssertValues(sorted[UpperBound(sorted, start - 1)..UpperBound(sorted, end - 1)], [.. each]);
        }
    }

    private static void CheckPairwise(ReadOnlyBitmap r, Bitmap a, SortedSet<uint> modelA, Bitmap b, ReadOnlyBitmap rb, SortedSet<uint> modelB)
    {
        var and = new SortedSet<uint>(modelA);
        and.IntersectWith(modelB);
        var or = new SortedSet<uint>(modelA);
        or.UnionWith(modelB);
        var xor = new SortedSet<uint>(modelA);
        xor.SymmetricExceptWith(modelB);
        var andNot = new SortedSet<uint>(modelA);
        andNot.ExceptWith(modelB);

        AssertAllSame(and, r.And(b), r.And(rb), r & b, r & rb, a & rb);
        AssertAllSame(or, r.Or(b), r.Or(rb), r | b, r | rb, a | rb);
        AssertAllSame(xor, r.Xor(b), r.Xor(rb), r ^ b, r ^ rb, a ^ rb);
        AssertAllSame(andNot, r.AndNot(b), r.AndNot(rb), r - b, r - rb, a - rb);
        Assert.Equal(and.Count, r.AndCount(b));
        Assert.Equal(and.Count, r.AndCount(rb));
        Assert.Equal(or.Count, r.OrCount(b));
        Assert.Equal(or.Count, r.OrCount(rb));
        Assert.Equal(xor.Count, r.XorCount(b));
        Assert.Equal(xor.Count, r.XorCount(rb));
        Assert.Equal(andNot.Count, r.AndNotCount(b));
        Assert.Equal(andNot.Count, r.AndNotCount(rb));
        var jaccard = or.Count == 0 ? 1.0 : (double)and.Count / or.Count;
        Assert.Equal(jaccard, r.Jaccard(b), 12);
        Assert.Equal(jaccard, r.Jaccard(rb), 12);
        Assert.Equal(and.Count > 0, r.Intersects(b));
        Assert.Equal(and.Count > 0, r.Intersects(rb));

        // Against the other bitmap, itself, and a strict subset of itself, in every overload.
        using var smaller = a.Clone();
        if (modelA.Count > 0)
        {
            smaller.Remove(modelA.Max);
        }
        var smallerModel = new SortedSet<uint>(modelA);
        smallerModel.Remove(modelA.Count > 0 ? modelA.Max : 0);
        foreach (var (other, otherModel) in new[] { (b, modelB), (a, modelA), (smaller, smallerModel) })
        {
            var ro = other.AsReadOnly();
            // The model's answers, once each (a sorted-set relation walks both sets).
            var subset = modelA.IsSubsetOf(otherModel);
            var superset = modelA.IsSupersetOf(otherModel);
            var properSubset = modelA.IsProperSubsetOf(otherModel);
            var properSuperset = modelA.IsProperSupersetOf(otherModel);
            var overlaps = modelA.Overlaps(otherModel);
            var equal = modelA.SetEquals(otherModel);
            // The model as a plain sequence takes the copying path; once per iteration is enough for that.
            IEnumerable<uint>[] asSequences = ReferenceEquals(other, b) ? [ro, other, otherModel] : [ro, other];
            Assert.Equal(subset, r.IsSubsetOf(other));
            Assert.Equal(subset, r.IsSubsetOf(ro));
            Assert.Equal(superset, r.IsSupersetOf(other));
            Assert.Equal(superset, r.IsSupersetOf(ro));
            Assert.Equal(properSubset, r.IsProperSubsetOf(other));
            Assert.Equal(properSubset, r.IsProperSubsetOf(ro));
            Assert.Equal(properSuperset, r.IsProperSupersetOf(other));
            Assert.Equal(properSuperset, r.IsProperSupersetOf(ro));
            Assert.Equal(equal, r.SetEquals(other));
            Assert.Equal(equal, r.SetEquals(ro));
            foreach (var sequence in asSequences)
            {
                Assert.Equal(subset, r.IsSubsetOf(sequence));
                Assert.Equal(superset, r.IsSupersetOf(sequence));
                Assert.Equal(properSubset, r.IsProperSubsetOf(sequence));
                Assert.Equal(properSuperset, r.IsProperSupersetOf(sequence));
                Assert.Equal(overlaps, r.Overlaps(sequence));
                Assert.Equal(equal, r.SetEquals(sequence));
            }
            Assert.Equal(equal, r.Equals(ro));
            Assert.Equal(equal, r.Equals((object)ro));
            Assert.Equal(equal, r == ro);
            Assert.Equal(!equal, r != ro);
            if (equal)
            {
                Assert.Equal(ro.GetHashCode(), r.GetHashCode());
            }
        }
        Assert.False(r.Equals((object)a));
        Assert.False(r.Equals(null));
    }

    private static void CheckWholeBitmap(Random rng, ReadOnlyBitmap r, Bitmap a, SortedSet<uint> model, bool live)
    {
        Assert.Equal(a.Serialize(), r.Serialize());
        Assert.Equal(a.SerializedSize(), r.SerializedSize());
        var buffer = new byte[r.SerializedSize()];
        Assert.Equal(buffer.Length, r.Serialize(buffer));
        Assert.Equal(a.Serialize(), buffer);
        using (var stream = new MemoryStream())
        {
            r.Serialize(stream);
            Assert.Equal(buffer, stream.ToArray());
        }
        Assert.Equal(a.GetHashCode(), r.GetHashCode());
        if (live)
        {
            // The same object underneath: the same statistics and description.
            Assert.Equal(a.GetStatistics(), r.GetStatistics());
            Assert.Equal(a.ToString(), r.ToString());
        }
        else
        {
            // A view holds the serialized containers: the same kinds and values, its own payload accounting.
            var (expected, actual) = (a.GetStatistics(), r.GetStatistics());
            Assert.Equal(expected.Count, actual.Count);
            Assert.Equal(expected.ArrayContainers, actual.ArrayContainers);
            Assert.Equal(expected.RunContainers, actual.RunContainers);
        }
        var notStart = rng.NextInt64(0, 17L << 16);
        var notEnd = notStart + rng.Next(0, 200_000);
        using (var not = r.Not(notStart, notEnd))
        using (var expected = a.Not(notStart, notEnd))
        {
            Assert.Equal(expected, not);
        }
        using (var shifted = r.AddOffset(70_001))
        using (var expected = a.AddOffset(70_001))
        {
            Assert.Equal(expected, shifted);
        }
        using var copy = r.ToBitmap();
        Assert.False(copy.IsReadOnly);
        BitmapModel.AssertSame(model, copy);
        copy.Add(model.Count > 0 ? model.Min + 1 : 0);
        copy.Remove(model.Count > 0 ? model.Min : 1);
        Assert.Equal(model.Count, r.Count);
    }

    /// <summary>The first result against the model, the others against the first (cheaper than the model each time); disposes them all.</summary>
    private static void AssertAllSame(SortedSet<uint> model, params Bitmap[] results)
    {
        try
        {
            BitmapModel.AssertSame(model, results[0]);
            foreach (var result in results[1..])
            {
                BitmapModel.AssertValid(result);
                Assert.True(results[0].SetEquals(result));
            }
        }
        finally
        {
            foreach (var result in results)
            {
                result.Dispose();
            }
        }
    }

    /// <summary>How many sorted values are &lt;= <paramref name="value"/>.</summary>
    private static int UpperBound(uint[] sorted, long value)
    {
        if (value < 0)
        {
            return 0;
        }
        int lo = 0, hi = sorted.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (sorted[mid] <= value)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }
        return lo;
    }

    /// <summary>The first value from <paramref name="from"/> up that is absent; <paramref name="index"/> is the first sorted position at or above it.</summary>
    private static uint? NextAbsent(uint[] sorted, int index, uint from)
    {
        long v = from;
        while (index < sorted.Length && sorted[index] == v)
        {
            index++;
            v++;
        }
        return v < 1L << 32 ? (uint)v : null;
    }
}
