using Bitfuse.Isolation.Noise;

namespace Bitfuse.Isolation.Tests;

public sealed class GapEventRingTests
{
    [Fact]
    public void Keeps_the_newest_entries_in_order_and_counts_the_dropped()
    {
        var ring = new GapEventRing(16);
        var model = new List<(ulong, ulong)>();
        for (ulong i = 0; i < 40; i++)
        {
            ring.Add(i * 100, i + 1);
            model.Add((i * 100, i + 1));
        }
        Assert.Equal(16, ring.Capacity);
        Assert.Equal(40, ring.Written);
        Assert.Equal(24, ring.Dropped);
        Assert.Equal(model.Skip(24), ring.Snapshot());
    }

    [Fact]
    public void Capacity_rounds_up_to_a_power_of_two()
    {
        Assert.Equal(1024, new GapEventRing(1000).Capacity);
        Assert.Empty(new GapEventRing(5).Snapshot());
        Assert.Throws<ArgumentOutOfRangeException>(() => new GapEventRing(0));
    }
}
