namespace Bitfuse.Tests.Bitmaps;

/// <summary>The reference files of the format specification decode to exactly their documented contents.</summary>
public sealed class SpecFileTests
{
    [Theory]
    [InlineData("bitmapwithoutruns.bin", false)]
    [InlineData("bitmapwithruns.bin", true)]
    public void Java_reference_files_hold_the_documented_values(string file, bool hasRuns)
    {
        var bytes = File.ReadAllBytes(DataSets.FormatFile(file));
        using var bitmap = Bitmap.Deserialize(bytes);
        BitmapModel.AssertValid(bitmap);
        Assert.Equal(200100, bitmap.Count);
        ulong sum = 0;
        foreach (var v in bitmap)
        {
            sum += v;
        }
        Assert.Equal(120004750000UL, sum);
        Assert.Equal(0u, bitmap.Min);
        Assert.Equal(799999u, bitmap.Max);
        var expected = new List<uint>();
        for (uint k = 0; k < 100; k++)
        {
            expected.Add(k * 1000);
        }
        for (uint k = 100000; k < 200000; k++)
        {
            expected.Add(3 * k);
        }
        for (uint v = 700000; v < 800000; v++)
        {
            expected.Add(v);
        }
        Assert.Equal(expected.ToArray(), bitmap.ToArray());
        Assert.Equal(hasRuns, bitmap.GetStatistics().RunContainers > 0);
        // Re-serializing the same containers reproduces the file byte for byte.
        Assert.Equal(bytes, bitmap.Serialize());
        // A borrowed view reads the same.
        using var view = Bitmap.CreateView(bytes);
        Assert.True(view.SetEquals(bitmap));
    }

    [Fact]
    public void Portable_64_bit_file_holds_two_buckets_of_runs_arrays_and_bitsets()
    {
        using var set = Bitmap64.DeserializeFile(DataSets.FormatFile("portable_bitmap64.bin"));
        var expected = new List<ulong>();
        foreach (var key in new ulong[] { 0, 1 })
        {
            var b = key << 32;
            for (var v = b; v <= b + 0x09000; v++)
            {
                expected.Add(v);
            }
            for (var v = b + 0x0A000; v <= b + 0x10000; v++)
            {
                expected.Add(v);
            }
            expected.Add(b + 0x20000);
            expected.Add(b + 0x20005);
            for (var v = b + 0x80000; v < b + 0x90000; v += 2)
            {
                expected.Add(v);
            }
        }
        Assert.Equal(expected.ToArray(), set.ToArray());
        Assert.Equal(2, set.BucketCount);
        Assert.Equal(File.ReadAllBytes(DataSets.FormatFile("portable_bitmap64.bin")), set.Serialize());
    }

    [Fact]
    public void Roaring64Map_file_holds_evens_a_million_after_2_32_and_2_48()
    {
        using var set = Bitmap64.DeserializeFile(DataSets.FormatFile("bitmap64.bin"));
        var expected = new List<ulong>();
        for (ulong v = 0; v < 65536; v += 2)
        {
            expected.Add(v);
        }
        for (var v = 1UL << 32; v < (1UL << 32) + 1000000; v++)
        {
            expected.Add(v);
        }
        expected.Add(1UL << 48);
        Assert.Equal(expected.ToArray(), set.ToArray());
    }

    [Fact]
    public void Sixty_four_bit_test_files_hold_their_documented_values()
    {
        using (var empty = Bitmap64.DeserializeFile(DataSets.FormatFile("64/64mapempty.bin")))
        {
            Assert.True(empty.IsEmpty);
        }
        using (var small = Bitmap64.DeserializeFile(DataSets.FormatFile("64/64map32bitvals.bin")))
        {
            Assert.Equal(new ulong[] { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9 }, small.ToArray());
        }
        using (var spread = Bitmap64.DeserializeFile(DataSets.FormatFile("64/64mapspreadvals.bin")))
        {
            Assert.Equal(100, spread.Count);
            Assert.Equal(0UL, spread.Min);
            Assert.Equal(38654705673UL, spread.Max);
        }
        using (var high = Bitmap64.DeserializeFile(DataSets.FormatFile("64/64maphighvals.bin")))
        {
            Assert.Equal(121, high.Count);
            Assert.Equal(ulong.MaxValue, high.Max);
            Assert.True(high.Contains(ulong.MaxValue));
        }
    }

    [Theory]
    [InlineData("64/64mapemptyinput.bin")]
    [InlineData("64/64mapsizetoosmall.bin")]
    [InlineData("64/64mapinvalidsize.bin")]
    [InlineData("64/64mapkeytoosmall.bin")]
    public void Invalid_64_bit_files_are_rejected_with_an_offset(string file)
    {
        var e = Assert.Throws<InvalidDataException>(() => Bitmap64.DeserializeFile(DataSets.FormatFile(file)));
        Assert.Contains("byte offset", e.Message);
        Assert.True(e.Data.Contains("Offset"));
    }

    [Fact]
    public void Malformed_fuzz_regressions_are_rejected_with_an_offset()
    {
        var files = Directory.GetFiles(DataSets.FormatFile("malformed"), "*.bin");
        Assert.Equal(7, files.Length);
        foreach (var file in files)
        {
            var bytes = File.ReadAllBytes(file);
            var e = Assert.Throws<InvalidDataException>(() => Bitmap.Deserialize(bytes));
            Assert.Contains("byte offset", e.Message);
            var offset = Assert.IsType<long>(e.Data["Offset"]);
            Assert.InRange(offset, 0, bytes.Length);
            Assert.Throws<InvalidDataException>(() => Bitmap.CreateView(bytes));
        }
    }

    [Fact]
    public void A_64_bit_file_given_to_the_32_bit_reader_is_named_as_such()
    {
        using var wide = Bitmap64.FromValues([1UL, 2UL, (5UL << 32) | 7]);
        using var empty = Bitmap64.FromValues([]);
        foreach (var bytes in new[] { wide.Serialize(), empty.Serialize() })
        {
            var e = Assert.Throws<InvalidDataException>(() => Bitmap.Deserialize(bytes));
            Assert.Contains("64-bit Roaring file", e.Message, StringComparison.Ordinal);
            Assert.Contains("Bitmap64.Deserialize", e.Message, StringComparison.Ordinal);
        }
        // Bytes that are neither form keep the plain cookie message.
        var other = Assert.Throws<InvalidDataException>(() => Bitmap.Deserialize("not roaring at all"u8));
        Assert.Contains("unknown cookie", other.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("64-bit", other.Message, StringComparison.Ordinal);
    }
}
