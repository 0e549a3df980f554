using Bitfuse.Memory;

namespace Bitfuse.Memory.Tests;

public sealed unsafe class StalledReaderTests
{
    [Fact]
    public void Deferred_memory_grows_to_the_cap_and_not_beyond_then_returns_after_one_poll()
    {
        const int itemSize = 1024;
        const int bucket = 8;
        const long cap = 64 * itemSize;
        using var smr = new Smr();
        using var zone = new Zone(new ZoneOptions { Name = "stall", ItemSize = itemSize, Smr = smr, BucketCapacity = bucket, MaxDeferredBytes = cap });
        var baseline = zone.GetStatistics();

        using var entered = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        var reader = new Thread(() =>
        {
            using (smr.Enter())
            {
                entered.Set();
                release.Wait();
            }
        });
        reader.Start();
        entered.Wait();

        const int frees = 2000;
        long maxDeferred = 0;
        var completed = 0;
        var writer = new Thread(() =>
        {
            for (var i = 0; i < frees; i++)
            {
                zone.Free(zone.Alloc());
                var s = zone.GetStatistics();
                maxDeferred = Math.Max(maxDeferred, s.DeferredBytes);
                Volatile.Write(ref completed, i + 1);
            }
            zone.Trim(); // stamp this thread's partial free bucket
        });
        writer.Start();

        // The writer must end up waiting for the stalled reader inside a free.
        var spinner = new SpinWait();
        while (zone.GetStatistics().CapWaits == 0 && writer.IsAlive)
        {
            spinner.SpinOnce();
        }
        Assert.True(writer.IsAlive, "the writer finished although a reader stalled all reclamation");
        var stalled = zone.GetStatistics();
        var progress = Volatile.Read(ref completed);
        Thread.Sleep(100);
        Assert.Equal(progress, Volatile.Read(ref completed)); // blocked, not growing
        // The queue sits at the cap; beyond it only this writer's slack: the bucket it waits for, its stamped
        // bucket and its filling free bucket.
        Assert.InRange(stalled.DeferredBytes, cap, cap + 3L * bucket * itemSize);

        release.Set();
        reader.Join();
        writer.Join();
        Assert.Equal(frees, Volatile.Read(ref completed));
        // Growth stopped at the cap plus the writer's slack of three buckets, for the whole run.
        Assert.InRange(maxDeferred, cap, cap + 3L * bucket * itemSize);
        Assert.InRange(zone.GetStatistics().PeakDeferredBytes, cap, cap + 2L * bucket * itemSize);

        // The stall is over: one poll (Trim) reclaims everything that was held back.
        zone.Trim();
        var after = zone.GetStatistics();
        Assert.Equal(0, after.ItemsDeferred);
        Assert.Equal(baseline.ItemsInUse, after.ItemsInUse);
        Assert.Equal(baseline.BytesFromOs, after.BytesFromOs);
    }
}
