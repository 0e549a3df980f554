using CsCheck;

namespace Bitfuse.Tests.Bitmaps;

public sealed class BitmapViewTests
{
    [Fact]
    public void Views_at_unaligned_offsets_answer_like_owned_bitmaps()
    {
        Gen.Int[0, int.MaxValue].Sample(seed =>
        {
            var rng = new Random(seed);
            var (a, model) = BitmapModel.Random(rng, keys: 5);
            var (b, _) = BitmapModel.Random(rng, keys: 5);
            using (a)
            using (b)
            {
                var bytes = a.Serialize();
                var shift = rng.Next(1, 8);
                var padded = new byte[bytes.Length + shift];
                bytes.CopyTo(padded, shift);
                using var view = Bitmap.CreateView(padded.AsMemory(shift));
                Assert.True(view.IsReadOnly);
                BitmapModel.AssertSame(model, view);
                Assert.Equal(a.AndCount(b), view.AndCount(b));
                Assert.Equal(a.OrCount(b), b.OrCount(view));
                using (var x = view.Xor(b))
                using (var y = a.Xor(b))
                {
                    Assert.True(x.SetEquals(y));
                }
                using (var copy = view.Clone())
                {
                    Assert.False(copy.IsReadOnly);
                    copy.Add(123456);
                    Assert.True(copy.Contains(123456));
                }
                Assert.Throws<InvalidOperationException>(() => view.Add(1));
                Assert.Throws<InvalidOperationException>(() => view.OrInPlace(b));
                Assert.Throws<InvalidOperationException>(() => view.Optimize());
                Assert.Equal(bytes, view.Serialize());
            }
        }, iter: 30);
    }

    [Fact]
    public void Serialize_to_stream_and_file_round_trips()
    {
        using var bitmap = Bitmap.FromValues([1, 2, 3, 70000, 1u << 31]);
        bitmap.AddRange(100_000, 300_000);
        using var stream = new MemoryStream();
        bitmap.Serialize(stream);
        Assert.Equal(bitmap.SerializedSize(), stream.Length);
        stream.Position = 0;
        using (var back = Bitmap.Deserialize(stream))
        {
            Assert.True(back.SetEquals(bitmap));
        }
        var path = Path.GetTempFileName();
        try
        {
            bitmap.SerializeToFile(path);
            using var back = Bitmap.DeserializeFile(path);
            Assert.True(back.SetEquals(bitmap));
        }
        finally
        {
            File.Delete(path);
        }
        var tooSmall = new byte[bitmap.SerializedSize() - 1];
        Assert.Throws<ArgumentException>(() => bitmap.Serialize(tooSmall));
        var e = Assert.Throws<InvalidDataException>(() => Bitmap.Deserialize([.. bitmap.Serialize(), 0]));
        Assert.Equal(bitmap.SerializedSize(), e.Data["Offset"]);
    }

    [Fact]
    public void Disposed_bitmaps_refuse_reads_and_changes_and_dispose_twice_quietly()
    {
        var bitmap = Bitmap.FromRange(0, 100_000);
        bitmap.Dispose();
        Assert.Throws<ObjectDisposedException>(() => bitmap.Count);
        Assert.Throws<ObjectDisposedException>(() => bitmap.Contains(5));
        Assert.Throws<ObjectDisposedException>(() => bitmap.Add(1));
        bitmap.Dispose();
    }
}
