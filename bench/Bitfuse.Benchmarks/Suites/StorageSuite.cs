using System.Buffers.Binary;
using Bitfuse.Benchmarks.Compare;
using Bitfuse.Storage;
using Spectre.Console;

namespace Bitfuse.Benchmarks.Suites;

/// <summary>
/// <c>compare storage</c>: reading a page-cache-resident 256 MiB file through a Reserve
/// <see cref="MappedFile"/> against <c>pread</c>, <see cref="FileStream"/>, a view accessor and a bare
/// mapping pointer (random 4 KiB copies, zero-copy 64-byte point reads, sequential scans), then reader
/// throughput and latency while a writer grows files under each growth strategy, and the growth step's
/// own latency. Temp files live under <see cref="Path.GetTempPath"/> and are deleted afterwards.
/// </summary>
public sealed unsafe class StorageSuite : ICompareSuite
{
    private const long FileBytes = 256L << 20;
    private const int Batch = 256;

    /// <inheritdoc />
    public string Name => "storage";

    /// <inheritdoc />
    public string Description => "mapped reads vs pread, FileStream, view accessor and a raw pointer; readers during growth per strategy; growth-step latency";

    /// <inheritdoc />
    public void Run(CompareContext context)
    {
        using (var fixture = new StorageFixture(FileBytes))
        {
            var subject = fixture.Subject.CurrentMapping!;
            context.Console.MarkupLine($"  [grey]share mapped with 2 MiB pages: bitfuse {StorageFixture.HugePageShare(subject.Address, subject.Capacity):P0}, raw-pointer {StorageFixture.HugePageShare((nint)fixture.RawPointer, fixture.Bytes):P0}[/]");
            RandomReads(context, fixture);
            PointReads(context, fixture);
            Scan(context, fixture, "scan-64KiB", 64 << 10);
            Scan(context, fixture, "scan-1MiB", 1 << 20);
        }
        ReadersDuringGrowth(context);
    }

    private static long[] RandomOffsets(int count, long bytes, int alignment, int readBytes, int seed)
    {
        var random = new Random(seed);
        var offsets = new long[count];
        var slots = (bytes - readBytes) / alignment;
        for (var i = 0; i < offsets.Length; i++)
        {
            offsets[i] = random.NextInt64(slots + 1) * alignment;
        }
        return offsets;
    }

    private static void RandomReads(CompareContext context, StorageFixture f)
    {
        const int size = 4096;
        var offsets = RandomOffsets(1 << 16, f.Bytes, size, size, seed: 1);
        var mask = offsets.Length - 1;
        var buffers = new AlignedBuffer[5];
        for (var i = 0; i < buffers.Length; i++)
        {
            buffers[i] = new AlignedBuffer(size);
        }
        // Each side walks the same page sequence from its own starting point, so no side reads pages
        // another side has just brought into the cache.
        var cursors = new int[5];
        for (var k = 0; k < cursors.Length; k++)
        {
            cursors[k] = k * (offsets.Length / cursors.Length);
        }
        var file = f.Subject;
        var raw = f.RawPointer;

        context.Measure("random-4KiB", () =>
        {
            var b = buffers[0].Span;
            var c = cursors[0];
            for (var i = 0; i < Batch; i++)
            {
                file.Read(offsets[(c + i) & mask], b);
            }
            cursors[0] = c + Batch;
        },
        [
            ("pread", () =>
            {
                var b = buffers[1].Span;
                var c = cursors[1];
                for (var i = 0; i < Batch; i++)
                {
                    RandomAccess.Read(f.Handle, b, offsets[(c + i) & mask]);
                }
                cursors[1] = c + Batch;
            }),
            ("filestream", () =>
            {
                var b = buffers[2].Span;
                var c = cursors[2];
                var stream = f.Stream;
                for (var i = 0; i < Batch; i++)
                {
                    stream.Position = offsets[(c + i) & mask];
                    stream.ReadExactly(b);
                }
                cursors[2] = c + Batch;
            }),
            ("viewaccessor", () =>
            {
                var b = buffers[3];
                var c = cursors[3];
                var accessor = f.Accessor;
                for (var i = 0; i < Batch; i++)
                {
                    accessor.ReadArray(offsets[(c + i) & mask], b.Array, b.Start, size);
                }
                cursors[3] = c + Batch;
            }),
            ("raw-pointer", () =>
            {
                var b = buffers[4].Span;
                var c = cursors[4];
                for (var i = 0; i < Batch; i++)
                {
                    MappedCopy.To(raw + offsets[(c + i) & mask], b);
                }
                cursors[4] = c + Batch;
            }),
        ], operationsPerCall: Batch, note: "random page-aligned 4 KiB copies out of a page-cache-resident 256 MiB file into 64-byte-aligned buffers; raw-pointer copies with the same routine as Bitfuse");
    }

    private static void PointReads(CompareContext context, StorageFixture f)
    {
        const int size = 64;
        // 2^20 random lines (64 MiB of the file's 256 MiB): far more than the caches hold, so every side's
        // reads miss. Each side walks the same sequence from its own starting point, so no side reads
        // lines another side has just brought into the cache.
        var offsets = RandomOffsets(1 << 20, f.Bytes, size, size, seed: 2);
        var mask = offsets.Length - 1;
        const int sides = 8;
        var cursors = new int[sides];
        for (var k = 0; k < sides; k++)
        {
            cursors[k] = k * (offsets.Length / sides);
        }
        var buffer = new byte[size];
        ulong sink = 0;
        var file = f.Subject;
        var raw = f.RawPointer;

        // Every side is a direct loop (no delegate call per read), so no side pays for the harness.
        Action Pread(int side) => () =>
        {
            var c = cursors[side];
            ulong x = 0;
            for (var i = 0; i < Batch; i++)
            {
                RandomAccess.Read(f.Handle, buffer, offsets[(c + i) & mask]);
                x ^= Fold(buffer);
            }
            sink ^= x;
            cursors[side] = c + Batch;
        };
        Action RawPointer(int side) => () =>
        {
            var c = cursors[side];
            ulong x = 0;
            for (var i = 0; i < Batch; i++)
            {
                x ^= Fold(new ReadOnlySpan<byte>(raw + offsets[(c + i) & mask], size));
            }
            sink ^= x;
            cursors[side] = c + Batch;
        };

        // How a kernel reads: one read scope, a zero-copy span per read.
        context.Measure("point-64B", () =>
        {
            var c = cursors[0];
            ulong x = 0;
            using (var scope = file.BeginRead())
            {
                for (var i = 0; i < Batch; i++)
                {
                    x ^= Fold(scope.GetSpan(offsets[(c + i) & mask], size));
                }
            }
            sink ^= x;
            cursors[0] = c + Batch;
        },
        [
            ("pread", Pread(1)),
            ("filestream", () =>
            {
                var c = cursors[2];
                ulong x = 0;
                for (var i = 0; i < Batch; i++)
                {
                    f.Stream.Position = offsets[(c + i) & mask];
                    f.Stream.ReadExactly(buffer);
                    x ^= Fold(buffer);
                }
                sink ^= x;
                cursors[2] = c + Batch;
            }),
            ("viewaccessor", () =>
            {
                var c = cursors[3];
                ulong x = 0;
                for (var i = 0; i < Batch; i++)
                {
                    f.Accessor.ReadArray(offsets[(c + i) & mask], buffer, 0, size);
                    x ^= Fold(buffer);
                }
                sink ^= x;
                cursors[3] = c + Batch;
            }),
            ("raw-pointer", RawPointer(4)),
        ], operationsPerCall: Batch, note: $"random 64-byte reads, each folded to a checksum; bitfuse reads zero-copy, a span per read inside one read scope per {Batch} reads");

        // The worst case: a read scope begun and ended around every single read.
        context.Measure("point-64B-scope-each", () =>
        {
            var c = cursors[5];
            ulong x = 0;
            for (var i = 0; i < Batch; i++)
            {
                using var scope = file.BeginRead();
                x ^= Fold(scope.GetSpan(offsets[(c + i) & mask], size));
            }
            sink ^= x;
            cursors[5] = c + Batch;
        },
        [
            ("pread", Pread(6)),
            ("raw-pointer", RawPointer(7)),
        ], operationsPerCall: Batch, note: "random 64-byte reads as in point-64B, but a read scope begun and ended around every read");
        GC.KeepAlive(sink);
    }

    /// <summary>Consumes 64 bytes: XOR of their eight words.</summary>
    private static ulong Fold(ReadOnlySpan<byte> bytes)
    {
        ulong x = 0;
        for (var i = 0; i < 64; i += 8)
        {
            x ^= BinaryPrimitives.ReadUInt64LittleEndian(bytes[i..]);
        }
        return x;
    }

    private static void Scan(CompareContext context, StorageFixture f, string caseName, int chunk)
    {
        // Each call streams a window of the file chunk by chunk; the window moves on every call.
        var window = context.Quick ? 16L << 20 : 64L << 20;
        var windows = f.Bytes / window;
        var buffers = new AlignedBuffer[5];
        for (var i = 0; i < buffers.Length; i++)
        {
            buffers[i] = new AlignedBuffer(chunk);
        }
        var calls = new long[5];
        var file = f.Subject;
        var raw = f.RawPointer;
        long Start(int side) => calls[side]++ % windows * window;

        var rows = context.Measure(caseName, () =>
        {
            var b = buffers[0].Span;
            var start = Start(0);
            for (var o = start; o < start + window; o += chunk)
            {
                file.Read(o, b);
            }
        },
        [
            ("pread", () =>
            {
                var b = buffers[1].Span;
                var start = Start(1);
                for (var o = start; o < start + window; o += chunk)
                {
                    RandomAccess.Read(f.Handle, b, o);
                }
            }),
            ("filestream", () =>
            {
                var b = buffers[2].Span;
                var start = Start(2);
                var stream = f.Stream;
                stream.Position = start;
                for (var o = start; o < start + window; o += chunk)
                {
                    stream.ReadExactly(b);
                }
            }),
            ("viewaccessor", () =>
            {
                var b = buffers[3];
                var start = Start(3);
                var accessor = f.Accessor;
                for (var o = start; o < start + window; o += chunk)
                {
                    accessor.ReadArray(o, b.Array, b.Start, chunk);
                }
            }),
            ("raw-pointer", () =>
            {
                var b = buffers[4].Span;
                var start = Start(4);
                for (var o = start; o < start + window; o += chunk)
                {
                    MappedCopy.To(raw + o, b);
                }
            }),
        ], operationsPerCall: window / chunk, note: $"sequential {chunk >> 10} KiB copies through a {window >> 20} MiB window; raw-pointer copies with the same routine as Bitfuse");
        foreach (var row in rows)
        {
            context.Console.MarkupLine($"  [grey]{caseName}: bitfuse {chunk / row.SubjectNs:F2} GB/s, {row.Baseline} {chunk / row.BaselineNs:F2} GB/s[/]");
        }
    }

    private static void ReadersDuringGrowth(CompareContext context)
    {
        // Many short rounds, alternating sides, so a slow stretch of the machine falls on every side alike.
        var rounds = context.Quick ? 3 : 20;
        var duration = TimeSpan.FromMilliseconds(context.Quick ? 300 : 200);
        // One core is left to the writer: with a reader on every core, the writer takes its CPU from the
        // readers, most from the side whose appends are cheapest (measured on 2 vCPUs: Reserve's writer
        // used 53-55 % of a core against UseCount's 41-45 %, because UseCount's appends wait for drains),
        // so that side's reader throughput would pay for its own faster growth.
        var readers = Math.Max(1, Environment.ProcessorCount - 1);
        using var bench = new StorageGrowthBench(FileBytes, readers);
        for (var round = 0; round < rounds; round++)
        {
            bench.RunRound(duration);
        }

        context.Console.MarkupLine(bench.Cpus is { } cpus
            ? $"  [grey]readers-during-growth: writer pinned to CPU {cpus[0]}, readers to CPUs {string.Join(",", cpus.Skip(1))}[/]"
            : "  [grey]readers-during-growth: not pinned (fewer CPUs allowed than threads)[/]");
        var sides = bench.Sides;
        StorageGrowthBench.Side Side(string name)
        {
            foreach (var s in sides)
            {
                if (s.Name == name)
                {
                    return s;
                }
            }
            throw new ArgumentException(name);
        }

        foreach (var side in sides)
        {
            context.Console.MarkupLine($"  [grey]readers-during-growth {side.Name}: writer CPU {side.WriterCpuNs / side.WriterWallNs:P0} of a core, {side.ExtendNs.Count} growth steps, reader p50 {side.Latency.Percentile(0.50) / 1000:F2} µs, p99 {side.Latency.Percentile(0.99) / 1000:F2} µs, {side.Reads / (side.ReaderCpuNs / 1000):F3} reads per reader CPU-µs ({side.ReaderCpuNs / side.ReaderNs:P0} of reader wall time on a CPU)[/]");
        }

        var preadOnly = Side("pread-only");
        var useCount = Side("usecount");
        foreach (var name in new[] { "reserve", "usecount", "smr" })
        {
            var subject = Side(name);
            foreach (var baseline in new[] { preadOnly, useCount })
            {
                context.Record(CompareResult.Of(context.Suite, $"readers-during-growth-{name}", baseline.Name, subject.NsPerRead, baseline.NsPerRead,
                    rounds: rounds, extra: GrowthExtra(subject, baseline),
                    note: $"{readers} readers (a core left to the writer), random 4 KiB copies, while a writer appends 1 MiB every 2 ms; ns per read (inverse throughput), p99 in extra"));
            }
        }

        // The growth step itself: p99 of one 1 MiB append, Reserve against the strategies that remap.
        var reserve = Side("reserve");
        foreach (var side in new[] { reserve, useCount, Side("smr") })
        {
            context.Console.MarkupLine($"  [grey]extend-latency {side.Name}: p50 {Us(side.ExtendNs, 0.50)}, p99 {Us(side.ExtendNs, 0.99)}, max {Us(side.ExtendNs, 1.0)} over {side.ExtendNs.Count} growth steps; whole append p50 {Us(side.AppendNs, 0.50)}, p99 {Us(side.AppendNs, 0.99)}[/]");
        }
        foreach (var baseline in new[] { useCount, Side("smr") })
        {
            context.Record(CompareResult.Of(context.Suite, "extend-latency", baseline.Name,
                Stopwatches.Percentile(reserve.ExtendNs, 0.99), Stopwatches.Percentile(baseline.ExtendNs, 0.99),
                rounds: rounds, extra: ExtendExtra(reserve, baseline),
                note: "p99 of one growth step under readers: allocate, map or remap, drain, retire, publish, without the 1 MiB data copy every side pays alike (whole-append times in extra)"));
        }
    }

    private static string Us(IReadOnlyList<double> ns, double q) =>
        (Stopwatches.Percentile(ns, q) / 1000).ToString("F1", System.Globalization.CultureInfo.InvariantCulture) + " µs";

    private static Dictionary<string, double> GrowthExtra(StorageGrowthBench.Side subject, StorageGrowthBench.Side baseline)
    {
        var extra = new Dictionary<string, double>
        {
            ["subject_reads"] = subject.Reads,
            ["baseline_reads"] = baseline.Reads,
            ["subject_p50_ns"] = subject.Latency.Percentile(0.50),
            ["subject_p99_ns"] = subject.Latency.Percentile(0.99),
            ["baseline_p50_ns"] = baseline.Latency.Percentile(0.50),
            ["baseline_p99_ns"] = baseline.Latency.Percentile(0.99),
            ["subject_growth_steps"] = subject.ExtendNs.Count,
            ["baseline_growth_steps"] = baseline.ExtendNs.Count,
            ["subject_writer_cpu_share"] = subject.WriterCpuNs / subject.WriterWallNs,
            ["baseline_writer_cpu_share"] = baseline.WriterCpuNs / baseline.WriterWallNs,
        };
        if (subject.File is { } file)
        {
            extra["subject_syscall_reads"] = file.Statistics.SystemCallReads;
            extra["subject_remaps"] = file.Statistics.Remaps;
        }
        return extra;
    }

    private static Dictionary<string, double> ExtendExtra(StorageGrowthBench.Side subject, StorageGrowthBench.Side baseline) => new()
    {
        ["subject_p50_ns"] = Stopwatches.Percentile(subject.ExtendNs, 0.50),
        ["subject_p99_ns"] = Stopwatches.Percentile(subject.ExtendNs, 0.99),
        ["baseline_p50_ns"] = Stopwatches.Percentile(baseline.ExtendNs, 0.50),
        ["baseline_p99_ns"] = Stopwatches.Percentile(baseline.ExtendNs, 0.99),
        ["subject_max_ns"] = Stopwatches.Percentile(subject.ExtendNs, 1.0),
        ["baseline_max_ns"] = Stopwatches.Percentile(baseline.ExtendNs, 1.0),
        ["subject_append_p50_ns"] = Stopwatches.Percentile(subject.AppendNs, 0.50),
        ["subject_append_p99_ns"] = Stopwatches.Percentile(subject.AppendNs, 0.99),
        ["baseline_append_p50_ns"] = Stopwatches.Percentile(baseline.AppendNs, 0.50),
        ["baseline_append_p99_ns"] = Stopwatches.Percentile(baseline.AppendNs, 0.99),
        ["subject_steps"] = subject.ExtendNs.Count,
        ["baseline_steps"] = baseline.ExtendNs.Count,
    };
}
