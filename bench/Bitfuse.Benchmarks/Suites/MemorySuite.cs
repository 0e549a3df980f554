using Bitfuse.Benchmarks.Compare;
using Bitfuse.Memory;

namespace Bitfuse.Benchmarks.Suites;

/// <summary>
/// <c>compare memory</c>: the slab allocator and GUS against what a .NET user would pick instead.
/// Same-thread batches (<c>alloc-free-64B</c>, <c>alloc-free-8KiB</c>) and the cross-thread pipe
/// (<c>cross-thread-8KiB</c>) against <c>nativememory</c>, <c>managed</c> and <c>arraypool</c>; the SMR zone against
/// the plain zone (<c>smr-overhead</c>); writers replacing items under readers against <c>epoch</c>, <c>epoch-callback</c>, <c>managed</c>
/// and <c>leak</c>, and the same writer with no reader (<c>replace-writer-alone</c>); and the read-section cost per mode
/// against <c>epoch</c>.
/// </summary>
public sealed class MemorySuite : ICompareSuite
{
    private const int Batch = 32;

    /// <inheritdoc />
    public string Name => "memory";

    /// <inheritdoc />
    public string Description => "slab zones and GUS reclamation vs NativeMemory, GC arrays, ArrayPool, ck_epoch-style epochs and leaking";

    /// <inheritdoc />
    public void Run(CompareContext context)
    {
        SameThread(context, "alloc-free-64B", 64, 16);
        SameThread(context, "alloc-free-8KiB", 8192, 64);
        CrossThread(context);
        SmrOverhead(context);
        ReplaceUnderReaders(context);
        EnterExit(context);
    }

    private static Zone PlainZone(string name, int size, int alignment) =>
        new(new ZoneOptions { Name = name, ItemSize = size, Alignment = alignment, DebugChecks = false });

    private static void SameThread(CompareContext context, string caseName, int size, int alignment)
    {
        using var zone = PlainZone(caseName, size, alignment);
        var subject = new MemoryBatch<nint, ZoneSource>(new ZoneSource(zone), Batch);
        var native = new MemoryBatch<nint, NativeSource>(new NativeSource(size, alignment), Batch);
        var managed = new MemoryBatch<byte[], ManagedSource>(new ManagedSource(size), Batch);
        var pool = new MemoryBatch<byte[], ArrayPoolSource>(new ArrayPoolSource(size), Batch);
        context.Measure(caseName, subject.Run,
            [("nativememory", native.Run), ("managed", managed.Run), ("arraypool", pool.Run)],
            operationsPerCall: Batch,
            note: $"alloc {Batch} then free {Batch} on one thread; ns per alloc+free");
    }

    private static void CrossThread(CompareContext context)
    {
        const int size = 8192, alignment = 64, items = 8192;
        using var zone = PlainZone("cross-thread", size, alignment);
        using var subject = new MemoryPipe<nint, ZoneSource>(new ZoneSource(zone));
        using var native = new MemoryPipe<nint, NativeSource>(new NativeSource(size, alignment));
        using var managed = new MemoryPipe<byte[], ManagedSource>(new ManagedSource(size));
        using var pool = new MemoryPipe<byte[], ArrayPoolSource>(new ArrayPoolSource(size));
        context.Measure("cross-thread-8KiB", () => subject.Run(items),
            [("nativememory", () => native.Run(items)), ("managed", () => managed.Run(items)), ("arraypool", () => pool.Run(items))],
            operationsPerCall: items,
            note: "allocate on one thread, free on another through a ring; ns per item");
    }

    private static void SmrOverhead(CompareContext context)
    {
        using var smr = new Smr();
        using var shared = new Zone(new ZoneOptions { Name = "smr-overhead", ItemSize = 8192, Alignment = 64, Smr = smr, DebugChecks = false });
        using var plain = PlainZone("smr-overhead-plain", 8192, 64);
        var subject = new MemoryBatch<nint, ZoneSource>(new ZoneSource(shared), Batch);
        var baseline = new MemoryBatch<nint, ZoneSource>(new ZoneSource(plain), Batch);
        context.Measure("smr-overhead", subject.Run, [("plain-zone", baseline.Run)], operationsPerCall: Batch,
            note: $"the alloc-free-8KiB loop on an SMR zone vs a plain zone (bucket {shared.BucketCapacity}); ratio >= 0.87 means within 15%");
    }

    private static void ReplaceUnderReaders(CompareContext context)
    {
        var duration = context.Quick ? TimeSpan.FromMilliseconds(150) : TimeSpan.FromMilliseconds(500);
        var rounds = context.Quick ? 3 : 7;
        var harness = new MemoryReplaceUnderReaders(readers: 1, duration);
        var medians = harness.MeasureAll(rounds);
        var gus = medians["gus"];
        var lazy = medians["gus-lazy"];
        var note = $"GUS Default mode (Lazy mode in extra); {MemoryReplaceUnderReaders.Slots} slots of {MemoryReplaceUnderReaders.ItemSize} B, " +
            $"1 writer, 1 reader, {MemoryReplaceUnderReaders.ReadsPerSection} reads per section, {rounds} rounds of {duration.TotalMilliseconds} ms";
        (string Case, Func<MemoryReplaceUnderReaders.Run, double> Value, string Unit, string What)[] cases =
        [
            ("replace-under-readers-writer", r => r.WriterNs, "ns",
                "ns per replacement (GUS and the epoch schemes allocate through the writer's ZoneCache handle; " +
                "extra cpu_subject/cpu_baseline: the writer thread's CPU ns per replacement)"),
            ("replace-under-readers-reader", r => r.ReaderNs, "ns", "ns per read section"),
            ("replace-under-readers-memory", r => r.PeakDeferredBytes, "bytes",
                "peak bytes freed but not yet reusable (GUS: the zone's peak, taken at stamps and before refills, with the filling free bucket; " +
                "epoch: every retired item; managed: heap growth over the live table; leak: every replaced item); " +
                "extra median_subject/median_baseline: the median of the amount sampled every 256 replacements at the top of " +
                "each scheme's cycle (GUS: full free bucket and stamped bucket; epoch: before its poll)"),
        ];
        foreach (var (caseName, value, unit, what) in cases)
        {
            foreach (var baseline in new[] { "epoch", "epoch-callback", "managed", "leak" })
            {
                var other = value(medians[baseline]);
                var extra = new Dictionary<string, double>
                {
                    ["lazy_subject"] = value(lazy),
                    ["lazy_ratio"] = value(lazy) > 0 ? other / value(lazy) : 0,
                };
                if (unit == "ns" && caseName.EndsWith("-writer", StringComparison.Ordinal))
                {
                    AddWriterCpu(extra, gus, medians[baseline]);
                }
                if (unit == "bytes" && baseline.StartsWith("epoch", StringComparison.Ordinal))
                {
                    // The typical level next to the peak: the peak is set by the longest time the reader was
                    // descheduled inside a section, during which both schemes hold everything the writer frees.
                    extra["median_subject"] = gus.MedianDeferredBytes;
                    extra["median_baseline"] = medians[baseline].MedianDeferredBytes;
                    extra["median_ratio"] = gus.MedianDeferredBytes > 0 ? medians[baseline].MedianDeferredBytes / gus.MedianDeferredBytes : 0;
                }
                context.Record(CompareResult.Of(context.Suite, caseName, baseline, value(gus), other,
                    unit: unit, rounds: rounds, extra: extra, note: what + "; " + note));
            }
        }
        WriterAlone(context, duration, rounds);
    }

    /// <summary>
    /// The same writer loop with no reader thread: the allocation and reclamation work of each scheme, without the
    /// cache-line transfers to a reader's core and without a reader that can be descheduled inside a section.
    /// </summary>
    private static void WriterAlone(CompareContext context, TimeSpan duration, int rounds)
    {
        var medians = new MemoryReplaceUnderReaders(readers: 0, duration).MeasureAll(rounds);
        var gus = medians["gus"];
        foreach (var baseline in new[] { "epoch", "epoch-callback", "leak" })
        {
            var extra = new Dictionary<string, double>();
            AddWriterCpu(extra, gus, medians[baseline]);
            context.Record(CompareResult.Of(context.Suite, "replace-writer-alone", baseline, gus.WriterNs, medians[baseline].WriterNs,
                unit: "ns", rounds: rounds, extra: extra,
                note: $"the replace-under-readers writer with no reader: ns per replacement, GUS Default mode; {rounds} rounds of {duration.TotalMilliseconds} ms"));
        }
    }

    // The writer thread's CPU time per replacement (the wall-clock figure on a shared machine also holds the time other
    // processes had the core), and the spread of the wall-clock figure over the rounds.
    private static void AddWriterCpu(Dictionary<string, double> extra, MemoryReplaceUnderReaders.Run gus, MemoryReplaceUnderReaders.Run baseline)
    {
        extra["lowest_subject"] = gus.WriterNsLowest;
        extra["highest_subject"] = gus.WriterNsHighest;
        extra["lowest_baseline"] = baseline.WriterNsLowest;
        extra["highest_baseline"] = baseline.WriterNsHighest;
        extra["cpu_subject"] = gus.WriterCpuNs;
        extra["cpu_baseline"] = baseline.WriterCpuNs;
        extra["cpu_ratio"] = gus.WriterCpuNs > 0 ? baseline.WriterCpuNs / gus.WriterCpuNs : 0;
    }

    private static void EnterExit(CompareContext context)
    {
        const int sections = 64;
        using var zone = PlainZone("enter-exit-epoch", 64, 16);
        var epoch = new EpochReclaimer(zone);
        var record = epoch.Register();
        void Epoch()
        {
            for (var i = 0; i < sections; i++)
            {
                epoch.Enter(record);
                EpochReclaimer.Exit(record);
            }
        }
        foreach (var (mode, caseName) in new[] { (SmrMode.Default, "enter-exit-default"), (SmrMode.Lazy, "enter-exit-lazy"), (SmrMode.Deferred, "enter-exit-deferred") })
        {
            using var smr = new Smr(new SmrOptions { Mode = mode });
            void Gus()
            {
                for (var i = 0; i < sections; i++)
                {
                    using (smr.Enter())
                    {
                    }
                }
            }
            context.Measure(caseName, Gus, [("epoch", Epoch)], operationsPerCall: sections,
                note: "one empty read section (enter + exit); absolute ns are for information");
        }
    }
}
