using Bitfuse.Bitmaps;
using Bitfuse.Bitmaps.MultiWay;

namespace Bitfuse.Tests.Bitmaps.MultiWay;

/// <summary>
/// The per-key intersection and union that the aggregation calls, the direct query forms and the query planner
/// all run, called directly on one key's group of containers: every strategy (pairs, run narrowing, value
/// filtering, bitsets; merges, the counted fold, the bitset scatter) against a set model, counted and built.
/// </summary>
public sealed class PerKeyCombinerTests
{
    [Fact]
    public void Intersect_key_matches_the_model_for_every_group_shape()
    {
        var random = new Random(15);
        for (var trial = 0; trial < 400; trial++)
        {
            var size = random.Next(1, 7);
            var positives = random.Next(1, size + 1);
            // Runs only (the interval narrowing) in a quarter of the trials, any kinds otherwise.
            var runsOnly = trial % 4 == 0;
            var (bitmaps, sets) = Group(random, size, runsOnly);
            try
            {
                var expected = new HashSet<ushort>(sets[0]);
                for (var i = 1; i < size; i++)
                {
                    if (i < positives)
                    {
                        expected.IntersectWith(sets[i]);
                    }
                    else
                    {
                        expected.ExceptWith(sets[i]);
                    }
                }
                // The smallest positive is found by the combiner; positives must still come first.
                var group = bitmaps.Select(b => b.ContainerCount == 0 ? default : b.ContainerAt(0)).ToArray();
                if (group.Any(c => c.IsEmpty))
                {
                    continue;
                }
                var scratch = DirectScratch.Current;
                Assert.Equal(expected.Count, IntersectExecution.Key(group, positives, scratch, materialise: false, out var none));
                Assert.True(none.IsEmpty);
                var count = IntersectExecution.Key(group, positives, scratch, materialise: true, out var built);
                Assert.Equal(expected.Count, count);
                Assert.Equal(expected.Order().ToArray(), Values(built));
            }
            finally
            {
                Array.ForEach(bitmaps, b => b.Dispose());
            }
        }
    }

    [Fact]
    public void Union_key_matches_the_model_for_every_group_shape()
    {
        var random = new Random(16);
        for (var trial = 0; trial < 400; trial++)
        {
            var size = random.Next(3, 12);
            var (bitmaps, sets) = Group(random, size, runsOnly: trial % 3 == 0);
            try
            {
                var group = bitmaps.Where(b => b.ContainerCount > 0).Select(b => b.ContainerAt(0)).ToArray();
                if (group.Length < 3)
                {
                    continue;
                }
                var expected = sets.SelectMany(s => s).Distinct().Order().ToArray();
                var scratch = DirectScratch.Current;
                Assert.Equal(expected.Length, UnionExecution.Key(group, scratch, materialise: false, out var none));
                Assert.True(none.IsEmpty);
                Assert.Equal(expected.Length, UnionExecution.Key(group, scratch, materialise: true, out var built));
                Assert.Equal(expected, Values(built));
            }
            finally
            {
                Array.ForEach(bitmaps, b => b.Dispose());
            }
        }
    }

    // The values of an owned container (freed here).
    private static ushort[] Values(Container container)
    {
        if (container.IsEmpty)
        {
            return [];
        }
        using var bitmap = Bitmap.FromContainers([0], [container]);
        return bitmap.ToArray().Select(v => (ushort)v).ToArray();
    }

    // size bitmaps of key 0 each: an array (a few to 4096 values), a bitset, or a run container (a few intervals);
    // with runsOnly, run containers and the odd small array.
    private static (Bitmap[] Bitmaps, HashSet<ushort>[] Sets) Group(Random random, int size, bool runsOnly)
    {
        var bitmaps = new Bitmap[size];
        var sets = new HashSet<ushort>[size];
        for (var i = 0; i < size; i++)
        {
            var set = new HashSet<ushort>();
            var kind = runsOnly ? (random.Next(5) == 0 ? 0 : 2) : random.Next(3);
            switch (kind)
            {
                case 0:
                    for (var n = random.Next(1, random.Next(2) == 0 ? 64 : 4096); n > 0; n--)
                    {
                        set.Add((ushort)random.Next(65536));
                    }
                    break;
                case 1:
                    var density = random.Next(2, 10);
                    for (var v = 0; v < 65536; v++)
                    {
                        if (random.Next(density) != 0)
                        {
                            set.Add((ushort)v);
                        }
                    }
                    break;
                default:
                    for (var r = random.Next(1, 12); r > 0; r--)
                    {
                        var start = random.Next(65536);
                        var end = Math.Min(65536, start + random.Next(1, 9000));
                        for (var v = start; v < end; v++)
                        {
                            set.Add((ushort)v);
                        }
                    }
                    break;
            }
            var bitmap = Bitmap.FromValues(set.Select(v => (uint)v).Order().ToArray());
            if (kind == 2)
            {
                bitmap.Optimize();
            }
            bitmaps[i] = bitmap;
            sets[i] = set;
        }
        return (bitmaps, sets);
    }
}
