using Bitfuse.Memory;

namespace Bitfuse.Memory.Tests;

public sealed unsafe class ZoneTests
{
    [Theory]
    [InlineData(1, 1)]
    [InlineData(24, 8)]
    [InlineData(64, 16)]
    [InlineData(100, 32)]
    [InlineData(8192, 64)]
    [InlineData(3000, 4096)]
    public void Items_are_aligned_distinct_and_writable(int size, int alignment)
    {
        using var zone = new Zone(new ZoneOptions { Name = "t", ItemSize = size, Alignment = alignment });
        var seen = new HashSet<nint>();
        var items = new List<nint>();
        for (var i = 0; i < 1000; i++)
        {
            var p = (nint)zone.Alloc();
            Assert.Equal(0, p % alignment);
            Assert.True(seen.Add(p));
            new Span<byte>((void*)p, size).Fill((byte)i);
            items.Add(p);
        }
        for (var i = 0; i < items.Count; i++)
        {
            Assert.True(new ReadOnlySpan<byte>((void*)items[i], size).IndexOfAnyExcept((byte)i) < 0);
            zone.Free((void*)items[i]);
        }
        Assert.Equal(0, zone.GetStatistics().ItemsInUse);
    }

    [Fact]
    public void Plain_zone_reuses_the_most_recent_free_first()
    {
        using var zone = new Zone(new ZoneOptions { Name = "lifo", ItemSize = 64 });
        var a = zone.Alloc();
        var b = zone.Alloc();
        zone.Free(a);
        zone.Free(b);
        Assert.Equal((nint)b, (nint)zone.Alloc());
        Assert.Equal((nint)a, (nint)zone.Alloc());
    }

    [Fact]
    public void Double_free_is_detected()
    {
        using var zone = new Zone(new ZoneOptions { Name = "df", ItemSize = 64 });
        var p = zone.Alloc();
        zone.Free(p);
        var e = Assert.Throws<InvalidOperationException>(() => zone.Free(p));
        Assert.Contains("double free", e.Message);
    }

    [Fact]
    public void Foreign_and_interior_pointers_are_rejected()
    {
        using var zone = new Zone(new ZoneOptions { Name = "fp", ItemSize = 64 });
        using var other = new Zone(new ZoneOptions { Name = "other", ItemSize = 64 });
        var mine = (byte*)zone.Alloc();
        var theirs = other.Alloc();
        Assert.Contains("not an item of this zone", Assert.Throws<InvalidOperationException>(() => zone.Free(theirs)).Message);
        Assert.Throws<InvalidOperationException>(() => zone.Free(mine + 8));
        var stack = stackalloc byte[64];
        Assert.Throws<InvalidOperationException>(() => zone.Free(stack));
        Assert.Throws<ArgumentNullException>(() => zone.Free(null));
        Assert.True(zone.Contains(mine));
        Assert.False(zone.Contains(theirs));
        zone.Free(mine);
        other.Free(theirs);
    }

    [Fact]
    public void A_write_after_free_is_caught_on_reuse()
    {
        using var zone = new Zone(new ZoneOptions { Name = "uaf", ItemSize = 64 });
        var p = (byte*)zone.Alloc();
        zone.Free(p);
        p[10] = 42; // use after free
        var e = Assert.Throws<InvalidOperationException>(() => zone.Alloc());
        Assert.Contains("written after it was freed (byte 10", e.Message);
    }

    [Fact]
    public void Freed_items_are_poisoned_in_debug_mode()
    {
        using var zone = new Zone(new ZoneOptions { Name = "poison", ItemSize = 32 });
        var p = (byte*)zone.Alloc();
        new Span<byte>(p, 32).Fill(7);
        zone.Free(p);
        Assert.True(new ReadOnlySpan<byte>(p, 32).IndexOfAnyExcept((byte)0xDB) < 0);
    }

    [Fact]
    public void Init_runs_once_per_item_and_fini_when_memory_leaves()
    {
        var inits = 0;
        var finis = 0;
        using (var zone = new Zone(new ZoneOptions
        {
            Name = "init",
            ItemSize = 128,
            DebugChecks = false,
            Init = item => { inits++; *(long*)item = 0x1234; },
            Fini = item => { finis++; Assert.Equal(0x1234, *(long*)item); },
        }))
        {
            for (var round = 0; round < 5; round++)
            {
                var p = zone.Alloc();
                Assert.Equal(0x1234, *(long*)p);
                zone.Free(p);
            }
            Assert.Equal(zone.ItemsPerSlab, inits); // one slab, built once, reused 5 times
            Assert.Equal(0, finis);
            zone.Drain();
            Assert.Equal(inits, finis);
            Assert.Equal(0, zone.GetStatistics().BytesFromOs);
        }
    }

    [Fact]
    public void Constructor_and_destructor_run_per_use()
    {
        var ctors = 0;
        var dtors = 0;
        using var zone = new Zone(new ZoneOptions
        {
            Name = "ctor",
            ItemSize = 16,
            Constructor = _ => ctors++,
            Destructor = _ => dtors++,
        });
        for (var i = 0; i < 10; i++)
        {
            zone.Free(zone.Alloc());
        }
        Assert.Equal(10, ctors);
        Assert.Equal(10, dtors);
    }

    [Fact]
    public void Drain_returns_every_byte_to_the_os()
    {
        using var zone = new Zone(new ZoneOptions { Name = "drain", ItemSize = 8192, Alignment = 64 });
        var items = new List<nint>();
        for (var i = 0; i < 500; i++)
        {
            items.Add((nint)zone.Alloc());
        }
        Assert.True(zone.GetStatistics().BytesFromOs >= 500L * 8192);
        foreach (var p in items)
        {
            zone.Free((void*)p);
        }
        zone.Drain();
        var s = zone.GetStatistics();
        Assert.Equal(0, s.BytesFromOs);
        Assert.Equal(0, s.Slabs);
        Assert.Equal(0, s.ItemsInUse + s.ItemsCached + s.ItemsDeferred);
    }

    [Fact]
    public void Disposed_zone_rejects_use()
    {
        var zone = new Zone(new ZoneOptions { Name = "gone", ItemSize = 64 });
        zone.Free(zone.Alloc());
        zone.Dispose();
        Assert.Throws<ObjectDisposedException>(() => zone.Alloc());
        Assert.Throws<ObjectDisposedException>(zone.Trim);
    }

    [Fact]
    public void Invalid_options_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => new Zone(new ZoneOptions { Name = "x", ItemSize = 0 }));
        Assert.Throws<ArgumentException>(() => new Zone(new ZoneOptions { Name = "x", ItemSize = 64, Alignment = 24 }));
        Assert.Throws<ArgumentException>(() => new Zone(new ZoneOptions { Name = "x", ItemSize = 64, Alignment = 8192 }));
        Assert.Throws<ArgumentException>(() => new Zone(new ZoneOptions { Name = " ", ItemSize = 64 }));
        Assert.Throws<ArgumentException>(() => new Zone(new ZoneOptions { Name = "x", ItemSize = 64, MaxDeferredBytes = -1 }));
    }
}
