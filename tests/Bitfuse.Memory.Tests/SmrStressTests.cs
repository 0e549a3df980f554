using System.Diagnostics;
using Bitfuse.Memory;
using Xunit.Abstractions;

namespace Bitfuse.Memory.Tests;

/// <summary>
/// FreeBSD smrstress, in user space: writers swap items in and out of shared slots and free the old ones to an SMR
/// zone; readers inside read sections check the pattern <c>init</c> wrote. Debug mode tears reclaimed items down
/// (fini) and poisons them, so any reuse or reclaim of an item a reader can still see shows up as a broken pattern.
/// More threads than cores, so sections get preempted. Set BITFUSE_STRESS_LONG=1 for 10^8 swaps.
/// </summary>
public sealed unsafe class SmrStressTests(ITestOutputHelper output)
{
    private const int Slots = 256;
    private const int Words = 8;
    private const long Pattern = 0x5EED_F00D_5EED_F00D;

    private static bool LongMode => Environment.GetEnvironmentVariable("BITFUSE_STRESS_LONG") is "1" or "true";

    [Fact]
    public void Ten_million_swaps_under_readers_see_no_reclaimed_item() =>
        Run(SmrMode.Default, LongMode ? 100_000_000 : 10_000_000, writers: 2, readers: 4);

    [Theory]
    [InlineData(SmrMode.Lazy)]
    [InlineData(SmrMode.Deferred)]
    public void Other_modes_see_no_reclaimed_item(SmrMode mode) =>
        Run(mode, LongMode ? 20_000_000 : 1_000_000, writers: 2, readers: 3);

    [Fact]
    public void Wrapping_sequences_see_no_reclaimed_item() =>
        Run(SmrMode.Default, 1_000_000, writers: 2, readers: 3, SmrOptions.WrapTest());

    [Fact]
    public void The_checker_sees_reuse_when_a_zone_does_not_wait_for_readers()
    {
        // Control: the same check catches an item reclaimed under a reader when the zone has no SMR.
        using var zone = new Zone(new ZoneOptions { Name = "control", ItemSize = Words * 8, Init = InitPattern });
        using var smr = new Smr();
        var item = (long*)zone.Alloc();
        using (smr.Enter())
        {
            Assert.True(Intact(item));
            zone.Free(item); // a plain zone reclaims at once
            Assert.False(Intact(item));
        }
    }

    private static void InitPattern(void* item)
    {
        var words = (long*)item;
        for (var i = 0; i < Words; i++)
        {
            words[i] = Pattern ^ i;
        }
    }

    private static bool Intact(long* item)
    {
        for (var i = 0; i < Words; i++)
        {
            if (Volatile.Read(ref item[i]) != (Pattern ^ i))
            {
                return false;
            }
        }
        return true;
    }

    private void Run(SmrMode mode, long swaps, int writers, int readers, SmrOptions? options = null)
    {
        using var smr = new Smr(options ?? new SmrOptions { Mode = mode });
        using var zone = new Zone(new ZoneOptions
        {
            Name = "smrstress",
            ItemSize = Words * 8,
            Smr = smr,
            Init = InitPattern,
            BucketCapacity = 32,
        });
        Assert.True(zone.DebugChecks);
        var slots = new nint[Slots];
        for (var i = 0; i < Slots; i++)
        {
            slots[i] = (nint)zone.Alloc();
        }

        long violations = 0, reads = 0, done = 0, swapped = 0, readersSeen = 0;
        var perWriter = swaps / writers;
        // Writers go on past their share until every reader has read at least once (within 10 s), so a reader
        // the scheduler starts late on a busy machine still checks something.
        var clock = new Stopwatch();
        Exception? failure = null;
        var threads = new List<Thread>();
        for (var w = 0; w < writers; w++)
        {
            var seed = w;
            threads.Add(new Thread(() =>
            {
                try
                {
                    var random = new Random(seed);
                    long n = 0;
                    for (; n < perWriter || (Volatile.Read(ref readersSeen) < readers && clock.ElapsedMilliseconds < 10_000); n++)
                    {
                        var fresh = zone.Alloc();
                        if (!Intact((long*)fresh))
                        {
                            Interlocked.Increment(ref violations);
                        }
                        var old = Interlocked.Exchange(ref slots[random.Next(Slots)], (nint)fresh);
                        zone.Free((void*)old);
                    }
                    Interlocked.Add(ref swapped, n);
                }
                catch (Exception e)
                {
                    failure = e;
                }
                finally
                {
                    Interlocked.Increment(ref done);
                }
            }));
        }
        for (var r = 0; r < readers; r++)
        {
            var seed = 100 + r;
            threads.Add(new Thread(() =>
            {
                var random = new Random(seed);
                long local = 0, bad = 0;
                while (Volatile.Read(ref done) < writers)
                {
                    using (smr.Enter())
                    {
                        for (var k = 0; k < 16; k++)
                        {
                            var item = (long*)Volatile.Read(ref slots[random.Next(Slots)]);
                            if (!Intact(item))
                            {
                                bad++;
                            }
                            local++;
                        }
                    }
                    if (local == 16)
                    {
                        Interlocked.Increment(ref readersSeen);
                    }
                }
                Interlocked.Add(ref reads, local);
                Interlocked.Add(ref violations, bad);
            }));
        }
        clock.Start();
        foreach (var t in threads)
        {
            t.Start();
        }
        foreach (var t in threads)
        {
            t.Join();
        }
        Assert.Null(failure);
        var stats = zone.GetStatistics();
        output.WriteLine($"{mode}: {swapped:N0} swaps, {reads:N0} checked reads, {violations} violations, {clock.Elapsed.TotalSeconds:F1} s; " +
            $"peak deferred {stats.PeakDeferredBytes:N0} B, slabs {stats.Slabs}, cap waits {stats.CapWaits}");
        Assert.Equal(0, violations);
        Assert.True(reads > 0);
        Assert.True(swapped >= perWriter * writers);
        Assert.Equal(swapped, stats.Frees); // every swap freed one item
        Assert.Equal(Slots, stats.ItemsInUse);
        foreach (var p in slots)
        {
            zone.Free((void*)p);
        }
    }
}
