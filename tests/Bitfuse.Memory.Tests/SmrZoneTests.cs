using Bitfuse.Memory;

namespace Bitfuse.Memory.Tests;

public sealed unsafe class SmrZoneTests
{
    [Fact]
    public void Freed_items_are_not_reused_while_a_reader_that_could_see_them_is_inside()
    {
        using var smr = new Smr();
        using var zone = new Zone(new ZoneOptions { Name = "smr", ItemSize = 64, Smr = smr, BucketCapacity = 4 });
        using var reader = HeldReader.Start(smr);

        var freed = new HashSet<nint>();
        for (var i = 0; i < 64; i++)
        {
            var p = (nint)zone.Alloc();
            Assert.DoesNotContain(p, freed);
            zone.Free((void*)p);
            freed.Add(p);
        }
        var held = zone.GetStatistics();
        Assert.Equal(64, held.ItemsDeferred);

        reader.Leave();
        // Now the queued buckets expire: allocation reuses them.
        var reused = 0;
        var live = new List<nint>();
        for (var i = 0; i < 64; i++)
        {
            var p = (nint)zone.Alloc();
            live.Add(p);
            if (freed.Contains(p))
            {
                reused++;
            }
        }
        Assert.True(reused >= 60, $"expected expired buckets to be reused, reused {reused}");
        foreach (var p in live)
        {
            zone.Free((void*)p);
        }
    }

    [Fact]
    public void One_poll_after_a_stall_reclaims_every_queued_bucket_not_only_the_one_it_reuses()
    {
        using var smr = new Smr();
        using var zone = new Zone(new ZoneOptions { Name = "backlog", ItemSize = 64, Smr = smr, BucketCapacity = 4 });
        using var reader = HeldReader.Start(smr);

        // 40 frees under the stall: 8 queued buckets, this thread's stamped bucket and its full free bucket.
        var items = new nint[40];
        for (var i = 0; i < items.Length; i++)
        {
            items[i] = (nint)zone.Alloc();
        }
        foreach (var p in items)
        {
            zone.Free((void*)p);
        }
        Assert.Equal(40, zone.GetStatistics().ItemsDeferred);

        reader.Leave();
        // The next refill reuses the thread's own stamped bucket; its poll has expired the queued ones as well, so
        // only the unstamped free bucket is still deferred (a queue that only shrank when its head was taken
        // would keep the whole backlog counted as deferred for as long as the thread reused its own buckets).
        var p2 = zone.Alloc();
        var after = zone.GetStatistics();
        Assert.Equal(zone.BucketCapacity, after.ItemsDeferred);
        Assert.Equal(after.Slabs * after.ItemsPerSlab, after.ItemsInUse + after.ItemsCached + after.ItemsDeferred);
        zone.Free(p2);
    }

    [Fact]
    public void Peak_deferred_counts_the_full_free_bucket_and_the_stamped_one_before_a_refill_reuses_it()
    {
        using var smr = new Smr();
        using var zone = new Zone(new ZoneOptions { Name = "peak", ItemSize = 64, Smr = smr, BucketCapacity = 4 });
        var items = new nint[8];
        for (var i = 0; i < items.Length; i++)
        {
            items[i] = (nint)zone.Alloc();
        }
        // The fifth free stamps the first four; the last three fill the next free bucket: eight deferred items.
        foreach (var p in items)
        {
            zone.Free((void*)p);
        }
        Assert.Equal(8, zone.GetStatistics().ItemsDeferred);
        Assert.Equal(4L * zone.ItemStride, zone.GetStatistics().PeakDeferredBytes); // the stamp saw one bucket

        // The alloc bucket is empty: this refill reuses the (expired) stamped bucket, but the peak includes it first.
        var again = zone.Alloc();
        var s = zone.GetStatistics();
        Assert.Equal(8L * zone.ItemStride, s.PeakDeferredBytes);
        Assert.Equal(4, s.ItemsDeferred);
        zone.Free(again);
    }

    [Fact]
    public void Destructor_of_an_smr_item_runs_when_its_bucket_expires()
    {
        using var smr = new Smr();
        var dtors = 0;
        using var zone = new Zone(new ZoneOptions { Name = "dtor", ItemSize = 32, Smr = smr, BucketCapacity = 4, Destructor = _ => dtors++ });
        var items = new nint[5];
        for (var i = 0; i < items.Length; i++)
        {
            items[i] = (nint)zone.Alloc();
        }
        foreach (var p in items)
        {
            zone.Free((void*)p);
        }
        Assert.Equal(0, dtors); // the first bucket is stamped and queued, not yet found expired
        zone.Trim();
        Assert.Equal(5, dtors); // trim stamps the partial bucket and reclaims all expired ones
    }

    [Fact]
    public void Freed_smr_items_stay_intact_for_readers_until_they_leave()
    {
        using var smr = new Smr();
        using var zone = new Zone(new ZoneOptions { Name = "intact", ItemSize = 64, Smr = smr, BucketCapacity = 2 });
        var p = (long*)zone.Alloc();
        *p = 99;
        using var entered = new ManualResetEventSlim();
        using var freed = new ManualResetEventSlim();
        long seen = 0;
        var reader = new Thread(() =>
        {
            using (smr.Enter())
            {
                entered.Set();
                freed.Wait();
                seen = Volatile.Read(ref *p);
            }
        });
        reader.Start();
        entered.Wait();
        zone.Free(p);
        for (var i = 0; i < 20; i++)
        {
            zone.Free(zone.Alloc()); // churn: must not reuse p while the reader is inside
        }
        zone.Trim();
        freed.Set();
        reader.Join();
        Assert.Equal(99, seen);
    }

    [Fact]
    public void Free_inside_own_read_section_is_rejected_in_debug_mode()
    {
        using var smr = new Smr();
        using var zone = new Zone(new ZoneOptions { Name = "rule", ItemSize = 64, Smr = smr });
        var p = zone.Alloc();
        using (smr.Enter())
        {
            var e = Assert.Throws<InvalidOperationException>(() => zone.Free(p));
            Assert.Contains("inside the caller's own read section", e.Message);
        }
        zone.Free(p);
    }

    [Fact]
    public void Drain_waits_for_readers_and_returns_everything()
    {
        using var smr = new Smr();
        using var zone = new Zone(new ZoneOptions { Name = "drain", ItemSize = 256, Smr = smr, BucketCapacity = 8 });
        var items = new List<nint>();
        for (var i = 0; i < 300; i++)
        {
            items.Add((nint)zone.Alloc());
        }
        foreach (var p in items)
        {
            zone.Free((void*)p);
        }
        Assert.True(zone.GetStatistics().ItemsDeferred > 0);
        zone.Drain();
        var s = zone.GetStatistics();
        Assert.Equal(0, s.BytesFromOs);
        Assert.Equal(0, s.ItemsDeferred);
    }
}
