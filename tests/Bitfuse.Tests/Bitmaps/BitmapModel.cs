using Bitfuse.Bitmaps;

namespace Bitfuse.Tests.Bitmaps;

/// <summary>Random bitmaps with a mirrored model set, and the structural invariant check every test runs.</summary>
internal static unsafe class BitmapModel
{
    /// <summary>
    /// A random set over <paramref name="keys"/> keys (16 by default) mixing sparse arrays, counts around the 4096
    /// array/bitset boundary, runs and full containers, built through Add/AddMany/AddRange (and optionally optimized
    /// into runs). At most <paramref name="containers"/> containers are filled, half of them among the first four
    /// keys, so two such sets share keys often (pairwise container algorithms) and miss each other's keys too.
    /// </summary>
    public static (Bitmap Bitmap, SortedSet<uint> Model) Random(Random rng, int keys = 16, int containers = 4)
    {
        var bitmap = new Bitmap();
        // Collected in a list and sorted once at the end: inserting up to a million values into the tree one
        // by one made model building the slowest part of the 16-key tests.
        var model = new List<uint>();
        var filled = rng.Next(0, Math.Min(keys, containers) + 1);
        for (var c = 0; c < filled; c++)
        {
            var key = (uint)(rng.Next(2) == 0 ? rng.Next(0, Math.Min(4, keys)) : rng.Next(0, keys)) << 16;
            switch (rng.Next(6))
            {
                case 0:
                    {
                        var n = rng.Next(1, 60);
                        for (var i = 0; i < n; i++)
                        {
                            var v = key | (uint)rng.Next(65536);
                            bitmap.Add(v);
                            model.Add(v);
                        }
                        break;
                    }
                case 1:
                    {
                        var n = rng.Next(4000, 4200);
                        var values = new uint[n];
                        for (var i = 0; i < n; i++)
                        {
                            values[i] = key | (uint)rng.Next(65536);
                            model.Add(values[i]);
                        }
                        bitmap.AddMany(values);
                        break;
                    }
                case 2:
                    {
                        var runs = rng.Next(1, 40);
                        for (var r = 0; r < runs; r++)
                        {
                            var start = key | (uint)rng.Next(65536);
                            var end = Math.Min((long)start + rng.Next(1, 3000), (long)key + 65536);
                            bitmap.AddRange(start, end);
                            for (var v = (long)start; v < end; v++)
                            {
                                model.Add((uint)v);
                            }
                        }
                        break;
                    }
                case 3:
                    bitmap.AddRange(key, key + 65536L);
                    for (var v = 0u; v < 65536; v++)
                    {
                        model.Add(key | v);
                    }
                    break;
                case 4:
                    {
                        var n = rng.Next(5000, 30000);
                        var values = new uint[n];
                        for (var i = 0; i < n; i++)
                        {
                            values[i] = key | (uint)rng.Next(65536);
                            model.Add(values[i]);
                        }
                        Array.Sort(values);
                        bitmap.AddMany(values);
                        break;
                    }
                default:
                    {
                        // Alternating bits: many short runs, never worth run form.
                        var start = rng.Next(0, 60000);
                        for (var v = start; v < Math.Min(65536, start + rng.Next(1, 12000)); v += 2)
                        {
                            bitmap.Add(key | (uint)v);
                            model.Add(key | (uint)v);
                        }
                        break;
                    }
            }
        }
        if (rng.Next(2) == 0)
        {
            bitmap.Optimize();
        }
        return (bitmap, new SortedSet<uint>(model));
    }

    /// <summary>A random 16-key bitmap, sometimes with 0 and a tail reaching <see cref="uint.MaxValue"/> across a container boundary.</summary>
    public static (Bitmap Bitmap, SortedSet<uint> Model) RandomWithEdges(Random rng)
    {
        var (bitmap, model) = Random(rng, keys: 16);
        if (rng.Next(4) == 0)
        {
            bitmap.Add(0);
            model.Add(0);
        }
        if (rng.Next(3) == 0)
        {
            var start = (1L << 32) - rng.Next(1, 70_000);
            bitmap.AddRange(start, 1L << 32);
            model.UnionWith(Enumerable.Range(0, (int)((1L << 32) - start)).Select(i => (uint)(start + i)));
            if (rng.Next(2) == 0)
            {
                bitmap.Optimize();
            }
        }
        return (bitmap, model);
    }

    /// <summary>Edge values, container boundaries, present values and their neighbours, and random values.</summary>
    public static uint[] Probes(Random rng, uint[] sorted)
    {
        var probes = new List<uint> { 0, 1, uint.MaxValue, uint.MaxValue - 1, 0xFFFF_0000 };
        for (var i = 0; i < 8; i++)
        {
            var key = (uint)rng.Next(0, 17) << 16;
            probes.Add(key);
            probes.Add(key | 0xFFFF);
            probes.Add(key == 0 ? 0 : key - 1);
        }
        for (var i = 0; i < 16 && sorted.Length > 0; i++)
        {
            var v = sorted[rng.Next(sorted.Length)];
            probes.Add(v);
            probes.Add(v + 1);
            probes.Add(v - 1);
        }
        for (var i = 0; i < 8; i++)
        {
            probes.Add((uint)rng.Next(0, 17 << 16));
            probes.Add((uint)rng.NextInt64(0, 1L << 32));
        }
        return [.. probes];
    }

    /// <summary>Asserts the bitmap holds exactly the model's values and that every container is legal.</summary>
    public static void AssertSame(SortedSet<uint> model, Bitmap bitmap)
    {
        AssertValid(bitmap);
        Assert.Equal(model.Count, bitmap.Count);
        AssertValues(model.ToArray(), bitmap.ToArray());
    }

    /// <summary>Asserts two value arrays are equal: a span comparison first, the assertion's element diff only on a mismatch (it is slow on large arrays).</summary>
    public static void AssertValues<T>(T[] expected, T[] actual)
        where T : IEquatable<T>
    {
        if (!expected.AsSpan().SequenceEqual(actual))
        {
            Assert.Equal(expected, actual);
        }
    }

    /// <summary>Checks every container invariant and that Count is the sum of cardinalities.</summary>
    public static void AssertValid(Bitmap bitmap)
    {
        long total = 0;
        var previous = -1;
        for (var i = 0; i < bitmap.ContainerCount; i++)
        {
            var key = bitmap.KeyAt(i);
            Assert.True(key > previous, $"keys ascending at {i}");
            previous = key;
            var c = bitmap.ContainerAt(i);
            Assert.True(c.Cardinality > 0, "no empty containers");
            switch (c.Kind)
            {
                case ContainerKind.Array:
                    Assert.True(c.Cardinality <= 4096, $"array of {c.Cardinality}");
                    Assert.Equal(c.Cardinality, c.Length);
                    Assert.True(ArrayContainer.IsStrictlyAscending(c.Values, c.Length), "array sorted");
                    Assert.True(!c.Owned || c.CapacityBytes >= 2 * c.Length, "array capacity");
                    break;
                case ContainerKind.Bitset:
                    Assert.True(c.Cardinality > 4096, $"bitset of {c.Cardinality}");
                    Assert.Equal(c.Cardinality, BitsetContainer.Cardinality(c.Words));
                    break;
                case ContainerKind.Run:
                    Assert.True(RunContainer.IsValid(c.Runs, c.Length), "runs valid");
                    Assert.Equal(c.Cardinality, RunContainer.Cardinality(c.Runs, c.Length));
                    break;
                default:
                    Assert.Fail($"unknown kind {c.Kind}");
                    break;
            }
            total += c.Cardinality;
        }
        Assert.Equal(total, bitmap.Count);
    }
}
