using Bitfuse.Isolation;
using CsCheck;

namespace Bitfuse.Isolation.Tests;

public sealed class CpuSetTests
{
    private static readonly Gen<int[]> Cpus = Gen.Int[0, 300].Array[0, 40];

    [Fact]
    public void Cpulist_round_trips_through_format_and_parse_and_matches_a_set_model()
    {
        Cpus.Sample(cpus =>
        {
            var set = CpuSet.Of(cpus);
            var model = new SortedSet<int>(cpus);
            Assert.Equal(model, set.Cpus);
            Assert.Equal(model.Count, set.Count);
            Assert.Equal(set, CpuSet.Parse(set.ToString()));
            Assert.Equal(set.IsEmpty ? -1 : model.Max, set.Max);
            Assert.Equal(set.IsEmpty ? -1 : model.Min, set.Min);
        });
    }

    [Fact]
    public void Hex_mask_round_trips_through_format_and_parse()
    {
        Cpus.Sample(cpus =>
        {
            var set = CpuSet.Of(cpus);
            Assert.Equal(set, CpuSet.ParseMask(set.ToMask()));
        });
    }

    [Fact]
    public void Set_operations_match_hash_set()
    {
        Gen.Select(Cpus, Cpus).Sample((a, b) =>
        {
            var x = CpuSet.Of(a);
            var y = CpuSet.Of(b);
            var union = new HashSet<int>(a);
            union.UnionWith(b);
            var intersection = new HashSet<int>(a);
            intersection.IntersectWith(b);
            var difference = new HashSet<int>(a);
            difference.ExceptWith(b);
            Assert.Equal(union.Order(), x.Union(y).Cpus);
            Assert.Equal(intersection.Order(), x.Intersect(y).Cpus);
            Assert.Equal(difference.Order(), x.Except(y).Cpus);
            Assert.Equal(intersection.Count > 0, x.Overlaps(y));
            Assert.Equal(difference.Count == 0, x.IsSubsetOf(y));
            for (var cpu = 0; cpu <= 301; cpu++)
            {
                Assert.Equal(a.Contains(cpu), x.Contains(cpu));
            }
        });
    }

    [Theory]
    [InlineData("0-3,8,10-11", new[] { 0, 1, 2, 3, 8, 10, 11 })]
    [InlineData(" 5 ", new[] { 5 })]
    [InlineData("0-8:4", new[] { 0, 4, 8 })]
    [InlineData("", new int[0])]
    [InlineData("3,1,1", new[] { 1, 3 })]
    public void Parses_kernel_cpulists(string text, int[] expected) => Assert.Equal(expected, CpuSet.Parse(text).Cpus);

    [Fact]
    public void Formats_ranges_compactly()
    {
        Assert.Equal("0-3,8,10-11", CpuSet.Of(0, 1, 2, 3, 8, 10, 11).ToString());
        Assert.Equal("", CpuSet.Empty.ToString());
        Assert.Equal("0-1", CpuSet.Range(0, 1).ToString());
    }

    [Theory]
    [InlineData("3", new[] { 0, 1 })]
    [InlineData("0303", new[] { 0, 1, 8, 9 })]
    [InlineData("ff,ffffffff", new[] { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39 })]
    [InlineData("1,00000000,00000001", new[] { 0, 64 })]
    [InlineData("00000000,00000000", new int[0])]
    public void Parses_hex_masks_with_32_bit_words(string mask, int[] expected) => Assert.Equal(expected, CpuSet.ParseMask(mask).Cpus);

    [Fact]
    public void Formats_masks_like_the_kernel()
    {
        Assert.Equal("3", CpuSet.Of(0, 1).ToMask());
        Assert.Equal("1,00000001", CpuSet.Of(0, 32).ToMask());
        Assert.Equal("0", CpuSet.Empty.ToMask());
        Assert.Equal("1,00000000,00000000,00000000", CpuSet.Of(96).ToMask());
    }

    [Theory]
    [InlineData("0-a", "position 2")]
    [InlineData("3-1", "backwards")]
    [InlineData("1,,2", "position 2")]
    [InlineData("1;2", "';' at position 1")]
    [InlineData("99999", "above 8191")]
    [InlineData("-3", "position 0")]
    public void Bad_cpulists_fail_with_the_position(string text, string expected)
    {
        var e = Assert.Throws<FormatException>(() => CpuSet.Parse(text));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("xyz", "'x' at position 0")]
    [InlineData("ff,123456789", "word 2")]
    [InlineData("", "no hex digits")]
    public void Bad_masks_fail_with_the_position(string text, string expected)
    {
        var e = Assert.Throws<FormatException>(() => CpuSet.ParseMask(text));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }
}
