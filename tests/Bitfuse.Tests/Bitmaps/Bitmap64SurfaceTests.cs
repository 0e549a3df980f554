namespace Bitfuse.Tests.Bitmaps;

/// <summary>
/// The read and batch surface of <see cref="Bitmap64"/> against a SortedSet model: 200 random sets whose buckets are
/// <see cref="BitmapModel"/> bitmaps over 16 keys (every container kind) under one to three high halves, probed at
/// present values, their neighbours, bucket edges and the ends of the value space.
/// </summary>
public sealed class Bitmap64SurfaceTests
{
    private static readonly uint[] Highs = [0, 1, 7, 0xFFFF_FFFF];

    internal static (Bitmap64 Set, SortedSet<ulong> Model) RandomSet(Random rng, int containers = 4)
    {
        var set = new Bitmap64();
        var model = new SortedSet<ulong>();
        var buckets = rng.Next(0, 4);
        for (var b = 0; b < buckets; b++)
        {
            var high = (ulong)Highs[rng.Next(Highs.Length)] << 32;
            var (lows, lowModel) = BitmapModel.Random(rng, keys: 16, containers: containers);
            using (lows)
            {
                var values = lowModel.Select(v => high | v).ToArray();
                if (rng.Next(2) == 0)
                {
                    rng.Shuffle(values);
                }
                set.AddMany(values);
                model.UnionWith(values);
            }
        }
        if (rng.Next(3) == 0)
        {
            set.Optimize();
        }
        return (set, model);
    }

    internal static ulong[] Probes(Random rng, SortedSet<ulong> model)
    {
        var probes = new List<ulong> { 0, ulong.MaxValue, 1UL << 32, (1UL << 32) - 1, 8UL << 32, (7UL << 32) - 1 };
        var values = model.ToArray();
        for (var i = 0; i < 64 && values.Length > 0; i++)
        {
            var v = values[rng.Next(values.Length)];
            probes.Add(v);
            probes.Add(v + 1);
            probes.Add(v - 1);
            probes.Add((ulong)rng.NextInt64() ^ ((ulong)rng.Next(8) << 32));
        }
        return [.. probes];
    }

    [Fact]
    public void Navigation_batches_enumeration_and_equality_agree_with_the_model()
    {
        var rng = new Random(6464);
        for (var iteration = 0; iteration < 200; iteration++)
        {
            var (set, model) = RandomSet(rng);
            using (set)
            {
                var sorted = model.ToArray();
                var probes = Probes(rng, model);
                var found = new bool[probes.Length];
                set.ContainsMany(probes, found);
                for (var i = 0; i < probes.Length; i++)
                {
                    var p = probes[i];
                    var at = Array.BinarySearch(sorted, p);
                    Assert.Equal(at >= 0, found[i]);
                    var next = at >= 0 ? at : ~at;
                    var previous = at >= 0 ? at : ~at - 1;
                    Assert.Equal(next < sorted.Length ? sorted[next] : null, set.NextValue(p));
                    Assert.Equal(previous >= 0 ? sorted[previous] : null, set.PreviousValue(p));
                }
                foreach (var rank in new long[] { -1, 0, sorted.Length / 2, sorted.Length - 1, sorted.Length, rng.Next(Math.Max(1, sorted.Length)) })
                {
                    var inside = rank >= 0 && rank < sorted.Length;
                    Assert.Equal(inside, set.TrySelect(rank, out var selected));
                    if (inside)
                    {
                        Assert.Equal(sorted[rank], selected);
                        Assert.Equal(sorted[rank], set.Select(rank));
                    }
                    else
                    {
                        Assert.Throws<ArgumentOutOfRangeException>(() => set.Select(rank));
                    }
                }

                var enumerated = new List<ulong>();
                foreach (var v in set)
                {
                    enumerated.Add(v);
                }
                BitmapModel.AssertValues(sorted, enumerated.ToArray());
                var batched = new List<ulong>();
                set.ForEach(batch =>
                {
                    Assert.InRange(batch.Length, 1, 256);
                    batched.AddRange(batch.ToArray());
                });
                BitmapModel.AssertValues(sorted, batched.ToArray());
                var copy = new ulong[sorted.Length + 3];
                Assert.Equal(sorted.Length, set.CopyTo(copy));
                BitmapModel.AssertValues(sorted, copy[..sorted.Length]);

                using var clone = set.Clone();
                Assert.True(clone == set);
                Assert.Equal(set.GetHashCode(), clone.GetHashCode());
                Assert.True(clone.IsSupersetOf(set) && clone.IsSubsetOf(set));
                Assert.False(clone.IsProperSubsetOf(set) || clone.IsProperSupersetOf(set));

                // Remove present values (sometimes a whole stretch, emptying buckets), absent ones and duplicates.
                var doomed = new List<ulong>(probes);
                if (sorted.Length > 0)
                {
                    var from = rng.Next(sorted.Length);
                    doomed.AddRange(sorted.AsSpan(from, Math.Min(sorted.Length - from, rng.Next(1, 100_000))).ToArray());
                }
                var removed = doomed.ToArray();
                if (rng.Next(2) == 0)
                {
                    Array.Sort(removed);
                }
                set.RemoveMany(removed);
                model.ExceptWith(removed);
                Assert.Equal(model.Count, set.Count);
                BitmapModel.AssertValues(model.ToArray(), set.ToArray());
                Assert.Equal(model.Count == clone.Count, set == clone);
                Assert.True(set.IsSubsetOf(clone));
                Assert.Equal(model.Count < clone.Count, set.IsProperSubsetOf(clone));
                Assert.Equal(model.Count < clone.Count, clone.IsProperSupersetOf(set));
                using var difference = clone - set;
                Assert.Equal(clone.Count - set.Count, difference.Count);
                using var union = (clone & set) | difference;
                Assert.True(union == clone);
                using var symmetric = clone ^ set;
                Assert.True(symmetric == difference);
            }
        }
    }

    [Fact]
    public void Many_way_operations_agree_with_the_model()
    {
        var rng = new Random(6465);

        // A pool of sets the 200 spans draw from (building random sets costs far more than combining them); the
        // model counts each value's inputs, a value being a high half's index and a low half below 16 keys.
        const int PoolSize = 32;
        var pool = new Bitmap64[PoolSize];
        var models = new ulong[PoolSize][];
        try
        {
            for (var i = 0; i < PoolSize; i++)
            {
                var (set, model) = RandomSet(rng, containers: 3);
                pool[i] = set;
                models[i] = model.ToArray();
            }
            const int Lows = 16 << 16;
            var counts = new byte[Highs.Length * Lows];
            for (var iteration = 0; iteration < 200; iteration++)
            {
                var count = iteration < 3 ? iteration : rng.Next(0, 13);
                var chosen = new int[count];
                for (var i = 0; i < count; i++)
                {
                    chosen[i] = i > 0 && rng.Next(6) == 0 ? chosen[rng.Next(i)] : rng.Next(PoolSize);
                }
                var inputs = chosen.Select(c => pool[c]).ToArray();
                Array.Clear(counts);
                foreach (var c in chosen)
                {
                    foreach (var v in models[c])
                    {
                        counts[Array.IndexOf(Highs, (uint)(v >> 32)) * Lows + (int)(uint)v]++;
                    }
                }
                var union = new List<ulong>();
                var intersection = new List<ulong>();
                var odd = new List<ulong>();
                foreach (var high in Highs.Order())
                {
                    var at = Array.IndexOf(Highs, high) * Lows;
                    for (var low = 0; low < Lows; low++)
                    {
                        var n = counts[at + low];
                        var value = (ulong)high << 32 | (uint)low;
                        if (n > 0)
                        {
                            union.Add(value);
                        }
                        if (n == count && count > 0)
                        {
                            intersection.Add(value);
                        }
                        if ((n & 1) == 1)
                        {
                            odd.Add(value);
                        }
                    }
                }

                using (var or = Bitmap64.OrMany(inputs))
                using (var and = Bitmap64.AndMany(inputs))
                using (var xor = Bitmap64.XorMany(inputs))
                {
                    BitmapModel.AssertValues(union.ToArray(), or.ToArray());
                    BitmapModel.AssertValues(intersection.ToArray(), and.ToArray());
                    BitmapModel.AssertValues(odd.ToArray(), xor.ToArray());
                    Assert.Equal(odd.Count, xor.Count);
                }
                Assert.Equal(union.Count, Bitmap64.OrManyCount(inputs));
                Assert.Equal(intersection.Count, Bitmap64.AndManyCount(inputs));
                Assert.Equal(odd.Count, Bitmap64.XorManyCount(inputs));
            }
            for (var i = 0; i < PoolSize; i++)
            {
                BitmapModel.AssertValues(models[i], pool[i].ToArray());
            }
        }
        finally
        {
            foreach (var set in pool)
            {
                set?.Dispose();
            }
        }
    }

    [Fact]
    public void Changing_or_disposing_a_set_while_enumerating_throws_on_the_next_step()
    {
        using var set = Bitmap64.FromValues([1, 2, 1UL << 40]);
        var enumerator = set.GetEnumerator();
        Assert.True(enumerator.MoveNext());
        set.Add(3);
        Assert.Throws<InvalidOperationException>(() => enumerator.MoveNext());
        Assert.Throws<InvalidOperationException>(() => set.ForEach(_ => set.Remove(2)));

        var disposed = Bitmap64.FromValues([5]);
        var open = disposed.GetEnumerator();
        disposed.Dispose();
        Assert.Throws<ObjectDisposedException>(() => open.MoveNext());
        Assert.Throws<ObjectDisposedException>(() => disposed.Count);
        Assert.Throws<ObjectDisposedException>(() => disposed.NextValue(0));
        Assert.Throws<ObjectDisposedException>(() => Bitmap64.OrMany(set, disposed));
        Assert.Throws<ObjectDisposedException>(() => set.And(disposed));
    }
}
