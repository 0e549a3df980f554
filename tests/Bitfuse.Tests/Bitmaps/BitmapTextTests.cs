using System.Text;

namespace Bitfuse.Tests.Bitmaps;

public sealed class BitmapTextTests
{
    [Fact]
    public void Comma_and_newline_separated_values_parse_in_any_order()
    {
        using var bitmap = BitmapText.Parse("5,3,1\n4294967295\r\n7 7\t2,");
        Assert.Equal(new uint[] { 1, 2, 3, 5, 7, 4294967295 }, bitmap.ToArray());
    }

    [Theory]
    [InlineData("1,2,x", 4)]
    [InlineData("1,,2", 2)]
    [InlineData("4294967296", 9)]
    [InlineData("12;3", 2)]
    public void Bad_text_names_the_offset(string text, long offset)
    {
        var e = Assert.Throws<InvalidDataException>(() => BitmapText.Parse(Encoding.ASCII.GetBytes(text)));
        Assert.Equal(offset, e.Data["Offset"]);
        Assert.Contains($"byte offset {offset}", e.Message);
    }

    [Fact]
    public void LoadFolder_names_bitmaps_after_files_in_numeric_order()
    {
        var folder = Directory.CreateTempSubdirectory("bitfuse-text-");
        try
        {
            File.WriteAllText(Path.Combine(folder.FullName, "set.csv10.txt"), "10,11");
            File.WriteAllText(Path.Combine(folder.FullName, "set.csv2.txt"), "2");
            File.WriteAllText(Path.Combine(folder.FullName, "set.csv1.txt"), "1\n3\n");
            File.WriteAllText(Path.Combine(folder.FullName, "notes.md"), "not a bitmap");
            using var set = BitmapSet.LoadFolder(folder.FullName);
            Assert.Equal(new[] { "set.csv1", "set.csv2", "set.csv10" }, set.Names);
            Assert.Equal(new uint[] { 1, 3 }, set["set.csv1"].ToArray());
            Assert.Equal(2, set["set.csv10"].Count);
            var missing = Assert.Throws<UnknownBitmapException>(() => set["set.csv3"]);
            Assert.Contains("set.csv1", missing.Message);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public void LoadFolder_reports_a_bad_file_by_name()
    {
        var folder = Directory.CreateTempSubdirectory("bitfuse-text-");
        try
        {
            File.WriteAllText(Path.Combine(folder.FullName, "a0.txt"), "1,2,-3");
            var e = Assert.Throws<InvalidDataException>(() => BitmapSet.LoadFolder(folder.FullName));
            Assert.Contains("a0.txt", e.Message);
            Assert.Equal(4L, e.Data["Offset"]);
            Assert.Throws<DirectoryNotFoundException>(() => BitmapSet.LoadFolder(Path.Combine(folder.FullName, "missing")));
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }
}
