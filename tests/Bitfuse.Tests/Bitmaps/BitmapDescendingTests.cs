namespace Bitfuse.Tests.Bitmaps;

/// <summary>Descending enumeration against a sorted model: 200 random bitmaps over 16 keys.</summary>
public sealed class BitmapDescendingTests
{
    [Fact]
    public void Descending_yields_the_model_from_the_largest_value_down()
    {
        var rng = new Random(1221);
        for (var iteration = 0; iteration < 200; iteration++)
        {
            var (bitmap, model) = BitmapModel.RandomWithEdges(rng);
            using (bitmap)
            {
                var seen = new List<uint>(model.Count);
                foreach (var v in bitmap.Descending())
                {
                    seen.Add(v);
                }
                Assert.Equal(model.Reverse(), seen);
                // Through the interface and after a reset, as LINQ sees it.
                Assert.Equal(model.Reverse().Take(5), ((IEnumerable<uint>)bitmap.Descending()).Take(5));
            }
        }
    }

    [Fact]
    public void A_change_or_dispose_during_descending_enumeration_throws_on_the_next_step()
    {
        using var bitmap = Bitmap.FromValues([1u, 2u, 70_000u]);
        var enumerator = bitmap.Descending().GetEnumerator();
        Assert.True(enumerator.MoveNext());
        Assert.Equal(70_000u, enumerator.Current);
        bitmap.Remove(1);
        Assert.Throws<InvalidOperationException>(() => enumerator.MoveNext());

        var disposed = Bitmap.FromValues([1u, 2u]);
        var stale = disposed.Descending().GetEnumerator();
        disposed.Dispose();
        Assert.Throws<ObjectDisposedException>(() => stale.MoveNext());
        Assert.Throws<ObjectDisposedException>(() => disposed.Descending());
    }
}
