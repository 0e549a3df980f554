using Bitfuse.Query.Execution;
using Bitfuse.Tests.Bitmaps;

namespace Bitfuse.Tests.Query.Execution;

public class GroupCountingTests
{
    [Fact]
    public void Pair_counts_match_a_set_model_on_array_bitset_and_run_containers()
    {
        // Kinds seen as filter, lead row and last row over all trials: each must meet each.
        var kinds = new HashSet<(string Side, string Kind)>();
        for (var seed = 0; seed < 40; seed++)
        {
            var random = new Random(seed);
            var owned = new List<Bitmap>();
            try
            {
                var (filter, filterModel) = BitmapModel.Random(random, keys: 3);
                owned.Add(filter);
                // Disjoint lead rows (a mutex field): each random bitmap minus the ones before it.
                var lead = new List<(Bitmap Bitmap, SortedSet<uint> Model)>();
                var taken = new SortedSet<uint>();
                for (var i = 0; i < random.Next(1, 5); i++)
                {
                    var (raw, model) = BitmapModel.Random(random, keys: 3);
                    owned.Add(raw);
                    model.ExceptWith(taken);
                    var row = Bitmap.FromValues([.. model]);
                    if (random.Next(2) == 0)
                    {
                        row.Optimize();
                    }
                    owned.Add(row);
                    taken.UnionWith(model);
                    lead.Add((row, model));
                }
                var last = new List<(Bitmap Bitmap, SortedSet<uint> Model)>();
                for (var j = 0; j < random.Next(1, 6); j++)
                {
                    var row = BitmapModel.Random(random, keys: 3);
                    owned.Add(row.Bitmap);
                    last.Add(row);
                }
                Record(kinds, "filter", filter);
                lead.ForEach(r => Record(kinds, "lead", r.Bitmap));
                last.ForEach(r => Record(kinds, "last", r.Bitmap));

                var expected = new long[lead.Count * last.Count];
                for (var i = 0; i < lead.Count; i++)
                {
                    for (var j = 0; j < last.Count; j++)
                    {
                        expected[(i * last.Count) + j] = filterModel.Count(v => lead[i].Model.Contains(v) && last[j].Model.Contains(v));
                    }
                }
                // Each key's own choice, then every key probing, then every key through the group map.
                foreach (var probe in new bool?[] { null, true, false })
                {
                    var counts = new long[lead.Count * last.Count];
                    Assert.True(GroupCounting.TryCount(filter, [.. lead.Select(r => r.Bitmap)], [.. last.Select(r => r.Bitmap)], counts, probe));
                    Assert.Equal(expected, counts);
                }
            }
            finally
            {
                owned.ForEach(b => b.Dispose());
            }
        }
        foreach (var side in new[] { "filter", "lead", "last" })
        {
            foreach (var kind in new[] { "array", "bitset", "run" })
            {
                Assert.Contains((side, kind), kinds);
            }
        }
    }

    [Fact]
    public void Many_lead_rows_count_through_the_map_alone()
    {
        // 100 lead rows (more than are kept as bitsets): column c is in lead row c % 100; dense and sparse last rows.
        var random = new Random(3);
        var owned = new List<Bitmap>();
        try
        {
            var columns = Enumerable.Range(0, 200_000).Select(c => (uint)c).ToArray();
            var filterModel = columns.Where(_ => random.Next(3) != 0).ToHashSet();
            var filter = Bitmap.FromValues([.. filterModel.Order()]);
            owned.Add(filter);
            var lead = Enumerable.Range(0, 100).Select(i => Bitmap.FromValues([.. columns.Where(c => c % 100 == i)])).ToArray();
            owned.AddRange(lead);
            var lastModels = new[] { columns.Where(_ => random.Next(2) == 0).ToArray(), columns.Where(_ => random.Next(50) == 0).ToArray(), columns[1000..90_000] };
            var last = lastModels.Select(m => Bitmap.FromValues(m)).ToArray();
            last[2].Optimize();
            owned.AddRange(last);
            var counts = new long[lead.Length * last.Length];
            Assert.True(GroupCounting.TryCount(filter, lead, last, counts));
            for (var i = 0; i < lead.Length; i++)
            {
                for (var j = 0; j < last.Length; j++)
                {
                    Assert.Equal(lastModels[j].LongCount(c => c % 100 == i && filterModel.Contains(c)), counts[(i * last.Length) + j]);
                }
            }
        }
        finally
        {
            owned.ForEach(b => b.Dispose());
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Many_array_values_count_through_group_bytes_and_overlap_falls_back_to_probes(bool overlap)
    {
        // Five lead rows (column c in row c % 5, and with overlap every column below 1000 in all of them too), thirty
        // sparse last rows: thousands of array values per key, so probing keys count them through the group bytes.
        var random = new Random(9);
        var owned = new List<Bitmap>();
        try
        {
            var columns = Enumerable.Range(0, 300_000).Select(c => (uint)c).ToArray();
            var filterModel = columns.Where(_ => random.Next(4) != 0).ToHashSet();
            var filter = Bitmap.FromValues([.. filterModel.Order()]);
            owned.Add(filter);
            bool InLead(uint c, int i) => c % 5 == i || (overlap && c < 1000);
            var lead = Enumerable.Range(0, 5).Select(i => Bitmap.FromValues([.. columns.Where(c => InLead(c, i))])).ToArray();
            owned.AddRange(lead);
            var lastModels = Enumerable.Range(0, 30).Select(_ => columns.Where(_ => random.Next(40) == 0).ToArray()).ToArray();
            var last = lastModels.Select(m => Bitmap.FromValues(m)).ToArray();
            owned.AddRange(last);
            var expected = new long[lead.Length * last.Length];
            for (var i = 0; i < lead.Length; i++)
            {
                for (var j = 0; j < last.Length; j++)
                {
                    expected[(i * last.Length) + j] = lastModels[j].LongCount(c => InLead(c, i) && filterModel.Contains(c));
                }
            }
            foreach (var probe in new bool?[] { null, true })
            {
                var counts = new long[expected.Length];
                Assert.True(GroupCounting.TryCount(filter, lead, last, counts, probe));
                Assert.Equal(expected, counts);
            }
        }
        finally
        {
            owned.ForEach(b => b.Dispose());
        }
    }

    [Fact]
    public void Overlapping_lead_rows_are_counted_by_probes_and_make_the_map_give_up()
    {
        using var filter = Bitmap.FromValues([1, 2, 3, 70_000]);
        using var first = Bitmap.FromValues([1, 70_000]);
        using var second = Bitmap.FromValues([2, 70_000]);
        using var last = Bitmap.FromValues([1, 2, 70_000]);
        var counts = new long[] { -1, -1 };
        Assert.True(GroupCounting.TryCount(filter, [first, second], [last], counts, probe: true));
        Assert.Equal(new long[] { 2, 2 }, counts);
        Assert.False(GroupCounting.TryCount(filter, [first, second], [last], counts, probe: false));
        Assert.Equal(new long[] { 2, 2 }, counts);

        // More lead rows than are kept as bitsets: the map alone, which gives up on a filter column in two of them.
        var many = Enumerable.Range(0, 65).Select(i => Bitmap.FromValues([(uint)i, 70_000])).ToArray();
        try
        {
            var manyCounts = Enumerable.Repeat(-1L, many.Length).ToArray();
            Assert.False(GroupCounting.TryCount(filter, many, [last], manyCounts));
            Assert.All(manyCounts, c => Assert.Equal(-1, c));

            // Overlap outside the filter does not matter.
            using var narrow = Bitmap.FromValues([1, 2, 3]);
            Assert.True(GroupCounting.TryCount(narrow, many, [last], manyCounts));
            Assert.Equal(Enumerable.Range(0, many.Length).Select(i => i is 1 or 2 ? 1L : 0L), manyCounts);
        }
        finally
        {
            Array.ForEach(many, b => b.Dispose());
        }
    }

    private static void Record(HashSet<(string, string)> kinds, string side, Bitmap bitmap)
    {
        var statistics = bitmap.GetStatistics();
        if (statistics.ArrayContainers > 0)
        {
            kinds.Add((side, "array"));
        }
        if (statistics.BitsetContainers > 0)
        {
            kinds.Add((side, "bitset"));
        }
        if (statistics.RunContainers > 0)
        {
            kinds.Add((side, "run"));
        }
    }
}
