using Bitfuse.Query.Execution;
using Bitfuse.Tests.Bitmaps;

namespace Bitfuse.Tests.Query.Execution;

public class TopRowCountingTests
{
    [Fact]
    public void The_top_rows_match_a_set_model_on_every_container_kind_with_ties()
    {
        for (var seed = 0; seed < 15; seed++)
        {
            var random = new Random(seed);
            var owned = new List<Bitmap>();
            try
            {
                // 40 keys: more than two blocks of filter keys, so rows are dropped between blocks.
                var (filter, filterModel) = BitmapModel.Random(random, keys: 40, containers: 30);
                owned.Add(filter);
                var rows = new List<(Bitmap Bitmap, SortedSet<uint> Model)>();
                for (var r = 0; r < 30; r++)
                {
                    if (r > 0 && random.Next(4) == 0)
                    {
                        // A copy of an earlier row: an exact tie, broken by index.
                        var model = rows[random.Next(rows.Count)].Model;
                        var copy = Bitmap.FromValues([.. model]);
                        owned.Add(copy);
                        rows.Add((copy, new SortedSet<uint>(model)));
                        continue;
                    }
                    var row = BitmapModel.Random(random, keys: 40, containers: random.Next(1, 10));
                    if (random.Next(2) == 0)
                    {
                        row.Bitmap.Optimize();
                    }
                    owned.Add(row.Bitmap);
                    rows.Add(row);
                }
                var bitmaps = rows.Select(r => r.Bitmap).ToArray();
                var filtered = Model(rows, filterModel, rows.Count);
                var whole = Model(rows, null, rows.Count);
                foreach (var n in new[] { 1, 3, 10, 50 })
                {
                    Assert.Equal(filtered.Take(n), TopRowCounting.Top(filter, bitmaps, n));
                    Assert.Equal(whole.Take(n), TopRowCounting.Top(null, bitmaps, n));
                }
            }
            finally
            {
                owned.ForEach(b => b.Dispose());
            }
        }
    }

    [Fact]
    public void Equal_counts_at_the_cut_go_to_the_lower_index_whatever_the_row_sizes()
    {
        // Every row holds five filter columns; row r also holds r * 1000 columns outside the filter, so the largest
        // rows (visited first) have the highest indexes and the cut at three must still keep rows 0, 1 and 2.
        var filterModel = new SortedSet<uint>(Enumerable.Range(0, 5).Select(i => (uint)i * 70_000));
        using var filter = Bitmap.FromValues([.. filterModel]);
        var rows = new List<(Bitmap Bitmap, SortedSet<uint> Model)>();
        try
        {
            for (var r = 0; r < 12; r++)
            {
                var model = new SortedSet<uint>(filterModel);
                model.UnionWith(Enumerable.Range(0, r * 1000).Select(i => 1u + ((uint)i * 61)));
                rows.Add((Bitmap.FromValues([.. model]), model));
            }
            var bitmaps = rows.Select(r => r.Bitmap).ToArray();
            Assert.Equal(new[] { (0, 5L), (1, 5L), (2, 5L) }, TopRowCounting.Top(filter, bitmaps, 3));
            Assert.Equal(Model(rows, filterModel, 12), TopRowCounting.Top(filter, bitmaps, 12));
            Assert.Empty(TopRowCounting.Top(filter, bitmaps, 0));
        }
        finally
        {
            rows.ForEach(r => r.Bitmap.Dispose());
        }
    }

    // Count descending, then index ascending; zero counts left out.
    private static List<(int Row, long Count)> Model(List<(Bitmap Bitmap, SortedSet<uint> Model)> rows, SortedSet<uint>? filter, int n)
    {
        var inFilter = filter is null ? null : new HashSet<uint>(filter);
        return [.. rows.Select((r, i) => (Row: i, Count: (long)(inFilter is null ? r.Model.Count : r.Model.Count(inFilter.Contains))))
            .Where(p => p.Count > 0).OrderByDescending(p => p.Count).ThenBy(p => p.Row).Take(n)];
    }
}
