using Bitfuse.Memory;
using CsCheck;

namespace Bitfuse.Memory.Tests;

/// <summary>
/// Random sequences of alloc, free, trim and drain against a model (the set of live items and their tags): the zone
/// hands out distinct items that keep their content, and its accounting adds up after every step. Run with debug checks
/// (every call takes the slow paths) and without them (the fast paths, called through the zone or through the thread's
/// <see cref="ZoneCache"/>), since allocations and frees are counted from bucket tallies, not per call.
/// </summary>
public sealed unsafe class AccountingPropertyTests
{
    private static void Check(Zone zone, Dictionary<nint, long> live, long allocations, long frees)
    {
        var s = zone.GetStatistics();
        Assert.Equal(allocations, s.Allocations);
        Assert.Equal(frees, s.Frees);
        Assert.Equal(live.Count, s.ItemsInUse);
        Assert.Equal(s.Slabs * s.ItemsPerSlab, s.ItemsInUse + s.ItemsCached + s.ItemsDeferred);
        Assert.Equal(s.Slabs * (long)s.ItemsPerSlab * s.ItemStride, s.BytesFromOs);
        Assert.Equal(s.Allocations - s.Frees, s.ItemsInUse);
    }

    private static void RunOps(Zone zone, int[] ops, bool throughThreadCache = false)
    {
        var cache = zone.GetThreadCache();
        var live = new Dictionary<nint, long>();
        var order = new List<nint>();
        long tag = 0, allocations = 0, frees = 0;
        foreach (var op in ops)
        {
            switch (op)
            {
                case < 50:
                    var p = (nint)(throughThreadCache ? cache.Alloc() : zone.Alloc());
                    allocations++;
                    Assert.True(live.TryAdd(p, ++tag), "an item was handed out twice");
                    *(long*)p = tag;
                    order.Add(p);
                    break;
                case < 95 when order.Count > 0:
                    var victim = order[op % order.Count];
                    order.Remove(victim);
                    Assert.Equal(live[victim], *(long*)victim);
                    live.Remove(victim);
                    if (throughThreadCache)
                    {
                        cache.Free((void*)victim);
                    }
                    else
                    {
                        zone.Free((void*)victim);
                    }
                    frees++;
                    break;
                case < 98:
                    zone.Trim();
                    break;
                default:
                    zone.Drain();
                    break;
            }
            Check(zone, live, allocations, frees);
        }
        foreach (var p in order)
        {
            Assert.Equal(live[p], *(long*)p);
            zone.Free((void*)p);
        }
        zone.Drain();
        var end = zone.GetStatistics();
        Assert.Equal(0, end.BytesFromOs);
        Assert.Equal(0, end.Slabs);
        Assert.Equal(0, end.ItemsInUse + end.ItemsCached + end.ItemsDeferred);
    }

    [Fact]
    public void Plain_zone_accounting_adds_up_and_drain_returns_every_byte() =>
        Gen.Int[0, 99].Array[1, 600].Sample(ops =>
        {
            using var zone = new Zone(new ZoneOptions { Name = "prop-plain", ItemSize = 200, Alignment = 8, BucketCapacity = 8 });
            RunOps(zone, ops);
        }, iter: 60);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Plain_zone_fast_path_accounting_adds_up(bool throughThreadCache) =>
        Gen.Int[0, 99].Array[1, 600].Sample(ops =>
        {
            using var zone = new Zone(new ZoneOptions { Name = "prop-plain-fast", ItemSize = 200, Alignment = 8, BucketCapacity = 8, DebugChecks = false });
            RunOps(zone, ops, throughThreadCache);
        }, iter: 60);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Smr_zone_fast_path_accounting_adds_up(bool throughThreadCache) =>
        Gen.Int[0, 99].Array[1, 600].Sample(ops =>
        {
            using var smr = new Smr();
            using var zone = new Zone(new ZoneOptions { Name = "prop-smr-fast", ItemSize = 64, Smr = smr, BucketCapacity = 4, DebugChecks = false });
            RunOps(zone, ops, throughThreadCache);
        }, iter: 60);

    [Fact]
    public void Smr_zone_accounting_adds_up_and_drain_returns_every_byte() =>
        Gen.Int[0, 99].Array[1, 600].Sample(ops =>
        {
            using var smr = new Smr();
            using var zone = new Zone(new ZoneOptions { Name = "prop-smr", ItemSize = 8192, Alignment = 64, Smr = smr, BucketCapacity = 4 });
            RunOps(zone, ops);
        }, iter: 60);
}
