using Bitfuse.Memory;

namespace Bitfuse.Memory.Tests;

public sealed unsafe class ThreadChurnTests
{
    private static void RunWave(int threads, int concurrency, Action body)
    {
        for (var started = 0; started < threads; started += concurrency)
        {
            var batch = new Thread[Math.Min(concurrency, threads - started)];
            for (var i = 0; i < batch.Length; i++)
            {
                batch[i] = new Thread(() => body());
                batch[i].Start();
            }
            foreach (var t in batch)
            {
                t.Join();
            }
        }
    }

    private static void CollectExitedThreads()
    {
        for (var i = 0; i < 3; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }
    }

    [Fact]
    public void Thousands_of_short_lived_threads_leak_nothing()
    {
        using var smr = new Smr();
        using var plain = new Zone(new ZoneOptions { Name = "churn-plain", ItemSize = 96 });
        using var shared = new Zone(new ZoneOptions { Name = "churn-smr", ItemSize = 512, Smr = smr, BucketCapacity = 16 });
        void Body()
        {
            var items = new nint[40];
            for (var i = 0; i < items.Length; i++)
            {
                items[i] = (nint)plain.Alloc();
            }
            foreach (var p in items)
            {
                plain.Free((void*)p);
            }
            for (var i = 0; i < items.Length; i++)
            {
                using (smr.Enter())
                {
                    items[i] = 0;
                }
                items[i] = (nint)shared.Alloc();
            }
            foreach (var p in items)
            {
                shared.Free((void*)p);
            }
        }

        RunWave(threads: 2000, concurrency: 8, Body);
        CollectExitedThreads();

        Assert.Equal(0, smr.ActiveReaderRecords);
        var records = smr.ReaderRecords;
        foreach (var zone in new[] { plain, shared })
        {
            var s = zone.GetStatistics();
            Assert.Equal(0, s.ThreadCaches);
            Assert.Equal(0, s.ItemsInUse);
            Assert.Equal(2000L * 40, s.Allocations);
            zone.Drain();
            s = zone.GetStatistics();
            Assert.Equal(0, s.BytesFromOs);
            Assert.Equal(0, s.ItemsCached + s.ItemsDeferred);
        }

        // Records of exited threads are reused: a second wave no larger than the free pool does not grow it.
        RunWave(threads: Math.Min(records, 200), concurrency: 1, Body);
        Assert.Equal(records, smr.ReaderRecords);
    }

    [Fact]
    public void A_thread_exit_flushes_its_cache_to_the_zone()
    {
        using var zone = new Zone(new ZoneOptions { Name = "exit", ItemSize = 64, IdleTrimAfter = TimeSpan.Zero });
        var t = new Thread(() => zone.Free(zone.Alloc()));
        t.Start();
        t.Join();
        Assert.Equal(1, zone.GetStatistics().ThreadCaches);
        CollectExitedThreads();
        var s = zone.GetStatistics();
        Assert.Equal(0, s.ThreadCaches);
        Assert.Equal(1, s.Allocations);
        Assert.Equal(1, s.Frees);
        zone.Trim();
        Assert.Equal(0, zone.GetStatistics().BytesFromOs);
    }
}
