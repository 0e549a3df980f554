using System.Diagnostics;
using Bitfuse.Memory;

namespace Bitfuse.Memory.Tests;

public sealed unsafe class IdleTrimTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Caches_of_idle_live_threads_are_trimmed_and_the_thread_keeps_working(bool useSmr)
    {
        using var smr = new Smr();
        using var zone = new Zone(new ZoneOptions
        {
            Name = "idle",
            ItemSize = 4096,
            Smr = useSmr ? smr : null,
            IdleTrimAfter = TimeSpan.FromHours(1), // the timer never fires in this test; it drives the clock itself
        });
        using var filled = new ManualResetEventSlim();
        using var resume = new ManualResetEventSlim();
        var worker = new Thread(() =>
        {
            var items = new List<nint>();
            for (var i = 0; i < 40; i++)
            {
                items.Add((nint)zone.Alloc());
            }
            foreach (var p in items)
            {
                zone.Free((void*)p);
            }
            filled.Set();
            resume.Wait();
            zone.Free(zone.Alloc()); // the cache still works after the trimmer emptied it
        });
        worker.Start();
        filled.Wait();
        Assert.True(zone.GetStatistics().BytesFromOs > 0);

        var now = Stopwatch.GetTimestamp();
        var hour = Stopwatch.Frequency * 3600;
        zone.IdleTick(now);                 // notes the worker's operation count
        zone.IdleTick(now + (2 * hour));    // unchanged for two hours: claim and flush; the zone is idle too
        var s = zone.GetStatistics();
        Assert.Equal(0, s.ItemsInUse);
        Assert.Equal(0, s.ItemsCached + s.ItemsDeferred);
        Assert.Equal(0, s.BytesFromOs);

        resume.Set();
        worker.Join();
        Assert.Equal(41, zone.GetStatistics().Allocations);
    }

    [Fact]
    public void The_trimming_thread_keeps_its_own_cache()
    {
        using var zone = new Zone(new ZoneOptions { Name = "busy", ItemSize = 64, IdleTrimAfter = TimeSpan.FromHours(1) });
        zone.Free(zone.Alloc());
        var now = Stopwatch.GetTimestamp();
        var hour = Stopwatch.Frequency * 3600;
        zone.IdleTick(now);
        zone.IdleTick(now + (2 * hour)); // the calling thread's own cache is never claimed by its own trimmer call
        // The freed item stays in this thread's cache, so its slab cannot go back to the OS.
        Assert.True(zone.GetStatistics().BytesFromOs > 0);
        zone.Trim();
        Assert.Equal(0, zone.GetStatistics().BytesFromOs);
    }
}
