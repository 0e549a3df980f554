using Bitfuse.Memory;

namespace Bitfuse.Memory.Tests;

/// <summary>
/// The explicit per-thread handle (<see cref="Zone.GetThreadCache"/>): the same buckets as <see cref="Zone.Alloc"/> and
/// <see cref="Zone.Free"/>, the same reclamation rules, and misuse (another thread, an exited thread, a disposed zone)
/// reported instead of corrupting the zone. Debug checks are on in this project unless a test turns them off.
/// </summary>
public sealed unsafe class ZoneCacheTests
{
    private static void CollectExitedThreads()
    {
        for (var i = 0; i < 3; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void The_handle_shares_the_thread_cache_with_the_zone_calls(bool debugChecks)
    {
        using var zone = new Zone(new ZoneOptions { Name = "handle-plain", ItemSize = 64, BucketCapacity = 8, DebugChecks = debugChecks });
        var cache = zone.GetThreadCache();
        Assert.Same(cache, zone.GetThreadCache());
        Assert.Same(zone, cache.Zone);

        // A plain zone reuses the most recent free first, whichever of the two paths freed it.
        var p = cache.Alloc();
        cache.Free(p);
        Assert.Equal((nint)p, (nint)zone.Alloc());
        zone.Free(p);
        Assert.Equal((nint)p, (nint)cache.Alloc());

        var items = new HashSet<nint> { (nint)p };
        for (var i = 0; i < 100; i++)
        {
            Assert.True(items.Add((nint)cache.Alloc()), "an item was handed out twice");
        }
        Assert.Equal(101, zone.GetStatistics().ItemsInUse);
        foreach (var item in items)
        {
            cache.Free((void*)item);
        }
        var s = zone.GetStatistics();
        Assert.Equal(0, s.ItemsInUse);
        Assert.Equal(103, s.Allocations);
        Assert.Equal(103, s.Frees);

        Thread? other = null;
        ZoneCache? otherCache = null;
        other = new Thread(() => otherCache = zone.GetThreadCache());
        other.Start();
        other.Join();
        Assert.NotSame(cache, otherCache);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Items_freed_through_the_handle_are_not_reused_while_a_reader_that_could_see_them_is_inside(bool debugChecks)
    {
        using var smr = new Smr();
        using var zone = new Zone(new ZoneOptions { Name = "handle-smr", ItemSize = 64, Smr = smr, BucketCapacity = 4, DebugChecks = debugChecks });
        var cache = zone.GetThreadCache();
        using var reader = HeldReader.Start(smr);

        var freed = new HashSet<nint>();
        for (var i = 0; i < 64; i++)
        {
            var p = (nint)cache.Alloc();
            Assert.DoesNotContain(p, freed);
            *(long*)p = i;
            cache.Free((void*)p);
            freed.Add(p);
        }
        Assert.Equal(64, zone.GetStatistics().ItemsDeferred);

        reader.Leave();
        var reused = 0;
        var live = new List<nint>();
        for (var i = 0; i < 64; i++)
        {
            var p = (nint)cache.Alloc();
            live.Add(p);
            reused += freed.Contains(p) ? 1 : 0;
        }
        Assert.True(reused >= 60, $"expected expired buckets to be reused through the handle, reused {reused}");
        foreach (var p in live)
        {
            cache.Free((void*)p);
        }
    }

    [Fact]
    public void Poisoning_catches_a_write_after_a_free_through_the_handle()
    {
        using var zone = new Zone(new ZoneOptions { Name = "handle-uaf", ItemSize = 64 });
        var cache = zone.GetThreadCache();
        var p = (byte*)cache.Alloc();
        cache.Free(p);
        Assert.True(new ReadOnlySpan<byte>(p, 64).IndexOfAnyExcept((byte)0xDB) < 0, "a freed item is poisoned");
        p[10] = 42; // use after free
        var e = Assert.Throws<InvalidOperationException>(() => cache.Alloc());
        Assert.Contains("written after it was freed (byte 10", e.Message);
    }

    [Fact]
    public void Poisoning_catches_a_write_after_a_free_through_the_handle_in_an_smr_zone()
    {
        using var smr = new Smr();
        using var zone = new Zone(new ZoneOptions { Name = "handle-uaf-smr", ItemSize = 64, Smr = smr, BucketCapacity = 4 });
        var cache = zone.GetThreadCache();
        var live = cache.Alloc(); // keeps the slab, so Trim cannot return the freed items' memory to the OS
        var items = new byte*[8];
        for (var i = 0; i < items.Length; i++)
        {
            items[i] = (byte*)cache.Alloc();
        }
        foreach (var p in items)
        {
            cache.Free(p);
        }
        // No reader: Trim stamps and queues the thread's buckets, finds them expired and reclaims them, which poisons
        // their items. A write after that is caught when allocation hands the item out again.
        zone.Trim();
        foreach (var p in items)
        {
            Assert.True(new ReadOnlySpan<byte>(p, 64).IndexOfAnyExcept((byte)0xDB) < 0, "a reclaimed item is poisoned");
        }
        items[3][5] = 1; // use after free
        var e = Assert.Throws<InvalidOperationException>(() =>
        {
            for (var i = 0; i < items.Length; i++)
            {
                cache.Alloc();
            }
        });
        Assert.Contains("written after it was freed (byte 5", e.Message);
        cache.Free(live);
    }

    [Fact]
    public void A_double_free_through_the_handle_is_detected()
    {
        using var zone = new Zone(new ZoneOptions { Name = "handle-double", ItemSize = 64 });
        var cache = zone.GetThreadCache();
        var p = cache.Alloc();
        cache.Free(p);
        var e = Assert.Throws<InvalidOperationException>(() => cache.Free(p));
        Assert.Contains("double free", e.Message);
    }

    [Fact]
    public void A_handle_used_on_another_thread_throws_in_debug_mode()
    {
        using var zone = new Zone(new ZoneOptions { Name = "handle-thread", ItemSize = 64 });
        var cache = zone.GetThreadCache();
        var mine = cache.Alloc();
        Exception? allocError = null, freeError = null;
        var other = new Thread(() =>
        {
            allocError = Record.Exception(() => cache.Alloc());
            freeError = Record.Exception(() => cache.Free(mine));
        });
        other.Start();
        other.Join();

        var alloc = Assert.IsType<InvalidOperationException>(allocError);
        Assert.Contains("belongs to the thread that took it", alloc.Message);
        Assert.IsType<InvalidOperationException>(freeError);
        // The refused calls changed nothing: the item is still allocated and frees once on its own thread.
        Assert.Equal(1, zone.GetStatistics().ItemsInUse);
        cache.Free(mine);
        Assert.Equal(0, zone.GetStatistics().ItemsInUse);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_handle_of_an_exited_thread_throws(bool debugChecks)
    {
        using var zone = new Zone(new ZoneOptions { Name = "handle-exited", ItemSize = 64, DebugChecks = debugChecks });
        ZoneCache? orphan = null;
        var thread = new Thread(() =>
        {
            orphan = zone.GetThreadCache();
            orphan.Free(orphan.Alloc());
        });
        thread.Start();
        thread.Join();
        CollectExitedThreads();

        var e = Assert.Throws<InvalidOperationException>(() => orphan!.Alloc());
        Assert.Contains("after its thread exited", e.Message);
        Assert.Throws<InvalidOperationException>(() => orphan!.Free(zone.Alloc()));
    }

    [Fact]
    public void A_handle_of_a_disposed_zone_throws()
    {
        var zone = new Zone(new ZoneOptions { Name = "handle-disposed", ItemSize = 64, DebugChecks = false });
        var cache = zone.GetThreadCache();
        cache.Free(cache.Alloc());
        zone.Dispose();
        Assert.Throws<ObjectDisposedException>(() => cache.Alloc());
        Assert.Throws<ObjectDisposedException>(() => zone.GetThreadCache());
    }
}
