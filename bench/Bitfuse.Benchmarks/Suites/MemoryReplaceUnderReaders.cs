using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Bitfuse.Benchmarks.Compare;
using Bitfuse.Memory;

namespace Bitfuse.Benchmarks.Suites;

/// <summary>
/// The <c>replace-under-readers</c> harness: a table of <see cref="Slots"/> items; one writer thread replaces random
/// items and frees (or retires) the old ones; reader threads repeatedly read <see cref="ReadsPerSection"/> random
/// items inside a read section. Six schemes run for the same time each round: GUS (an SMR zone; Default and Lazy
/// mode), <c>epoch</c>
/// (ck_epoch-style, freeing into a plain zone, polled once per zone bucketful of retirements), <c>epoch-callback</c>
/// (the same epochs, but each object deferred with its own callback as FreeBSD's epoch_call does), <c>managed</c> (GC
/// arrays, no sections), <c>leak</c> (never reclaim: a bump arena, no sections). Each run reports writer ns per
/// replacement, reader ns per section and the peak bytes freed but not yet reusable.
/// Every zone-backed writer takes its thread's <see cref="ZoneCache"/> once and allocates through it, as a replace loop
/// written against Bitfuse.Memory would: GUS also frees through it, <c>epoch</c> frees each dispatched batch through the
/// cache its per-thread record took at registration, and <c>epoch-callback</c>'s per-object callbacks call
/// <see cref="Zone.Free"/>, as FreeBSD's epoch_call callbacks call <c>uma_zfree</c>.
/// </summary>
public sealed unsafe class MemoryReplaceUnderReaders
{
    /// <summary>Items in the shared table.</summary>
    public const int Slots = 1024;

    /// <summary>Items read per read section.</summary>
    public const int ReadsPerSection = 8;

    /// <summary>Bytes per item.</summary>
    public const int ItemSize = 64;

    /// <summary>Replacements between two checks of the stop flag (and, for managed, samples of the heap).</summary>
    private const int SampleEvery = 256;

    /// <summary>Samples of the deferred amount kept per run (one per <see cref="SampleEvery"/> replacements).</summary>
    private const int MaxSamples = 1 << 17;

    /// <summary>
    /// One run's figures: writer ns per replacement, reader ns per section, the peak bytes freed but not yet reusable,
    /// the median of that amount sampled every <see cref="SampleEvery"/> replacements (the typical level; the peak
    /// is set by the longest time a reader was descheduled inside a section), and the writer thread's CPU ns per
    /// replacement (what the writer cost while it ran: on a shared machine the wall-clock figure also holds the time
    /// other processes had the core). From <see cref="MeasureAll"/>, also the lowest and highest writer ns of the rounds.
    /// </summary>
    public readonly record struct Run(
        double WriterNs, double ReaderNs, double PeakDeferredBytes, double MedianDeferredBytes = 0, double WriterCpuNs = 0,
        double WriterNsLowest = 0, double WriterNsHighest = 0);

    /// <summary>The schemes, in measuring order.</summary>
    public static readonly string[] Schemes = ["gus", "gus-lazy", "epoch", "epoch-callback", "managed", "leak"];

    private readonly int _readers;
    private readonly TimeSpan _duration;

    // Reused by every run's writer (one run at a time), so a run allocates nothing that could start a collection.
    private readonly long[] _samples = new long[MaxSamples];

    /// <summary>Creates the harness.</summary>
    public MemoryReplaceUnderReaders(int readers, TimeSpan duration)
    {
        _readers = readers;
        _duration = duration;
    }

    /// <summary>Runs one scheme once.</summary>
    public Run Measure(string scheme) => scheme switch
    {
        "gus" => RunGus(SmrMode.Default),
        "gus-lazy" => RunGus(SmrMode.Lazy),
        "epoch" => RunEpoch(perObjectCallback: false),
        "epoch-callback" => RunEpoch(perObjectCallback: true),
        "managed" => RunManaged(),
        "leak" => RunLeak(),
        _ => throw new ArgumentException($"unknown scheme {scheme}", nameof(scheme)),
    };

    private Run Drive(Func<Func<bool>, (long Ops, double Peak, double Median)> writer, Func<Func<bool>, long> reader)
    {
        var stop = 0;
        bool Stopped() => Volatile.Read(ref stop) != 0;
        long writerOps = 0, readerSections = 0, writerCpu = 0;
        double peak = 0, median = 0;
        var threads = new List<Thread>();
        using var start = new ManualResetEventSlim();
        threads.Add(new Thread(() =>
        {
            start.Wait();
            var cpu = StorageWriterClock.ThreadCpuNs();
            (writerOps, peak, median) = writer(Stopped);
            writerCpu = StorageWriterClock.ThreadCpuNs() - cpu;
        }));
        for (var r = 0; r < _readers; r++)
        {
            threads.Add(new Thread(() =>
            {
                start.Wait();
                Interlocked.Add(ref readerSections, reader(Stopped));
            }));
        }
        foreach (var t in threads)
        {
            t.Start();
        }
        var clock = Stopwatch.StartNew();
        start.Set();
        Thread.Sleep(_duration);
        Volatile.Write(ref stop, 1);
        foreach (var t in threads)
        {
            t.Join();
        }
        var ns = clock.Elapsed.TotalNanoseconds;
        return new Run(ns / Math.Max(1, writerOps), ns * _readers / Math.Max(1, readerSections), peak, median, writerCpu / (double)Math.Max(1, writerOps));
    }

    private static double MedianBytes(long[] samples, int count, int itemStride)
    {
        if (count == 0)
        {
            return 0;
        }
        Array.Sort(samples, 0, count);
        return samples[count / 2] * (double)itemStride;
    }

    // Inlined: the generator's call would otherwise be a cost every scheme pays, diluting the ratios.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Next(ref ulong state)
    {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        return state;
    }

    private Run RunGus(SmrMode mode)
    {
        using var smr = new Smr(new SmrOptions { Mode = mode });
        using var zone = new Zone(new ZoneOptions { Name = "bench-gus", ItemSize = ItemSize, Smr = smr, DebugChecks = false });
        var slots = new nint[Slots];
        for (var i = 0; i < Slots; i++)
        {
            slots[i] = (nint)zone.Alloc();
            *(long*)slots[i] = i;
        }
        var run = Drive(
            stopped =>
            {
                var cache = zone.GetThreadCache();
                ulong rng = 0x9E3779B97F4A7C15;
                long ops = 0;
                var samples = _samples;
                var sampled = 0;
                while (!stopped())
                {
                    for (var k = 0; k < SampleEvery; k++)
                    {
                        var fresh = cache.Alloc();
                        *(long*)fresh = ops + k;
                        ref var slot = ref slots[(int)(Next(ref rng) % Slots)];
                        var old = slot;
                        Volatile.Write(ref slot, (nint)fresh);
                        cache.Free((void*)old);
                    }
                    ops += SampleEvery;
                    if (sampled < samples.Length)
                    {
                        samples[sampled++] = zone.DeferredItemsFromCurrentThread();
                    }
                }
                // Like with like: epoch counts every retired item, including the limbo list being filled; the zone's
                // peak counts the free bucket being filled too (taken at stamps and before refills, the moments
                // between which this thread's deferred amount only grows).
                var stats = zone.GetStatistics();
                return (ops, stats.PeakDeferredBytes, MedianBytes(samples, sampled, zone.ItemStride));
            },
            stopped =>
            {
                ulong rng = 0x2545F4914F6CDD1D ^ (ulong)Environment.CurrentManagedThreadId;
                long sections = 0, sum = 0;
                while (!stopped())
                {
                    using (smr.Enter())
                    {
                        for (var k = 0; k < ReadsPerSection; k++)
                        {
                            sum += *(long*)Volatile.Read(ref slots[(int)(Next(ref rng) % Slots)]);
                        }
                    }
                    sections++;
                }
                GC.KeepAlive(sum);
                return sections;
            });
        foreach (var p in slots)
        {
            zone.Free((void*)p);
        }
        return run;
    }

    // The callback epoch_call queues per object in the epoch-callback scheme.
    private static void FreeItem(Zone zone, nint item) => zone.Free((void*)item);

    private Run RunEpoch(bool perObjectCallback)
    {
        using var zone = new Zone(new ZoneOptions { Name = "bench-epoch", ItemSize = ItemSize, DebugChecks = false });
        var epoch = new EpochReclaimer(zone);
        var pollEvery = zone.BucketCapacity;
        var slots = new nint[Slots];
        for (var i = 0; i < Slots; i++)
        {
            slots[i] = (nint)zone.Alloc();
            *(long*)slots[i] = i;
        }
        EpochReclaimer.Record? writerRecord = null;
        var run = Drive(
            stopped =>
            {
                var record = writerRecord = epoch.Register();
                var cache = zone.GetThreadCache();
                ulong rng = 0x9E3779B97F4A7C15;
                long ops = 0;
                var samples = _samples;
                var sampled = 0;
                while (!stopped())
                {
                    for (var k = 0; k < pollEvery; k++)
                    {
                        var fresh = cache.Alloc();
                        *(long*)fresh = ops + k;
                        ref var slot = ref slots[(int)(Next(ref rng) % Slots)];
                        var old = slot;
                        Volatile.Write(ref slot, (nint)fresh);
                        if (perObjectCallback)
                        {
                            epoch.Call(record, old, &FreeItem);
                        }
                        else
                        {
                            epoch.Retire(record, old);
                        }
                    }
                    // Sampled at the top of the cycle, before the poll, as GUS is sampled with a full free bucket
                    // and its stamped bucket not yet reused: in the steady state both read two batches.
                    if (sampled < samples.Length)
                    {
                        samples[sampled++] = record.Pending;
                    }
                    epoch.Poll(record);
                    ops += pollEvery;
                }
                var peak = epoch.PeakPendingItems * (double)zone.ItemStride;
                return (ops, peak, MedianBytes(samples, sampled, zone.ItemStride));
            },
            stopped =>
            {
                var record = epoch.Register();
                ulong rng = 0x2545F4914F6CDD1D ^ (ulong)Environment.CurrentManagedThreadId;
                long sections = 0, sum = 0;
                while (!stopped())
                {
                    epoch.Enter(record);
                    for (var k = 0; k < ReadsPerSection; k++)
                    {
                        sum += *(long*)Volatile.Read(ref slots[(int)(Next(ref rng) % Slots)]);
                    }
                    EpochReclaimer.Exit(record);
                    sections++;
                }
                GC.KeepAlive(sum);
                return sections;
            });
        epoch.Barrier(writerRecord!);
        foreach (var p in slots)
        {
            zone.Free((void*)p);
        }
        return run;
    }

    private Run RunManaged()
    {
        var slots = new byte[Slots][];
        for (var i = 0; i < Slots; i++)
        {
            slots[i] = GC.AllocateUninitializedArray<byte>(ItemSize);
        }
        GC.Collect();
        var live = GC.GetTotalMemory(false);
        return Drive(
            stopped =>
            {
                ulong rng = 0x9E3779B97F4A7C15;
                long ops = 0;
                double peak = 0;
                while (!stopped())
                {
                    for (var k = 0; k < SampleEvery; k++)
                    {
                        var fresh = GC.AllocateUninitializedArray<byte>(ItemSize);
                        MemoryMarshal.Write(fresh, ops + k);
                        Volatile.Write(ref slots[(int)(Next(ref rng) % Slots)], fresh);
                    }
                    ops += SampleEvery;
                    peak = Math.Max(peak, GC.GetTotalMemory(false) - live);
                }
                return (ops, peak, 0);
            },
            stopped =>
            {
                ulong rng = 0x2545F4914F6CDD1D ^ (ulong)Environment.CurrentManagedThreadId;
                long sections = 0, sum = 0;
                while (!stopped())
                {
                    for (var k = 0; k < ReadsPerSection; k++)
                    {
                        sum += MemoryMarshal.Read<long>(Volatile.Read(ref slots[(int)(Next(ref rng) % Slots)]));
                    }
                    sections++;
                }
                GC.KeepAlive(sum);
                return sections;
            });
    }

    private Run RunLeak()
    {
        // Never reclaim: fresh items come from a bump arena. The arena wraps so the run fits in memory; the
        // memory figure is what a real leak would hold: every replaced item.
        const long arenaBytes = 64L << 20;
        var arena = (byte*)NativeMemory.AlignedAlloc((nuint)arenaBytes, 64);
        try
        {
            long bump = 0;
            var slots = new nint[Slots];
            for (var i = 0; i < Slots; i++)
            {
                slots[i] = (nint)(arena + bump);
                bump += ItemSize;
            }
            return Drive(
                stopped =>
                {
                    ulong rng = 0x9E3779B97F4A7C15;
                    long ops = 0;
                    while (!stopped())
                    {
                        for (var k = 0; k < SampleEvery; k++)
                        {
                            if (bump + ItemSize > arenaBytes)
                            {
                                bump = Slots * ItemSize;
                            }
                            var fresh = arena + bump;
                            bump += ItemSize;
                            *(long*)fresh = ops + k;
                            Volatile.Write(ref slots[(int)(Next(ref rng) % Slots)], (nint)fresh);
                        }
                        ops += SampleEvery;
                    }
                    return (ops, (double)ops * ItemSize, 0);
                },
                stopped =>
                {
                    ulong rng = 0x2545F4914F6CDD1D ^ (ulong)Environment.CurrentManagedThreadId;
                    long sections = 0, sum = 0;
                    while (!stopped())
                    {
                        for (var k = 0; k < ReadsPerSection; k++)
                        {
                            sum += *(long*)Volatile.Read(ref slots[(int)(Next(ref rng) % Slots)]);
                        }
                        sections++;
                    }
                    GC.KeepAlive(sum);
                    return sections;
                });
        }
        finally
        {
            NativeMemory.AlignedFree(arena);
        }
    }

    /// <summary>Runs every scheme <paramref name="rounds"/> times, interleaved, and returns each scheme's median figures.</summary>
    public Dictionary<string, Run> MeasureAll(int rounds)
    {
        var runs = new Dictionary<string, List<Run>>();
        foreach (var s in Schemes)
        {
            runs[s] = [];
            Measure(s); // warm-up
        }
        for (var round = 0; round < rounds; round++)
        {
            foreach (var s in Schemes)
            {
                runs[s].Add(Measure(s));
            }
        }
        var medians = new Dictionary<string, Run>();
        foreach (var (s, list) in runs)
        {
            medians[s] = new Run(
                Stopwatches.Median(list.ConvertAll(r => r.WriterNs)),
                Stopwatches.Median(list.ConvertAll(r => r.ReaderNs)),
                Stopwatches.Median(list.ConvertAll(r => r.PeakDeferredBytes)),
                Stopwatches.Median(list.ConvertAll(r => r.MedianDeferredBytes)),
                Stopwatches.Median(list.ConvertAll(r => r.WriterCpuNs)),
                list.Min(r => r.WriterNs),
                list.Max(r => r.WriterNs));
        }
        return medians;
    }
}
