using System.Diagnostics;
using Bitfuse.Benchmarks.Compare;
using Bitfuse.Isolation;
using Bitfuse.Isolation.Pinning;
using Bitfuse.Storage;
using Microsoft.Win32.SafeHandles;

namespace Bitfuse.Benchmarks.Suites;

/// <summary>
/// Readers doing random 4 KiB reads while a writer appends 1 MiB every 2 ms, for each way of keeping
/// readers safe: the three <see cref="GrowthStrategy"/> values and plain <c>pread</c> on a file grown by
/// <c>pwrite</c>. Each side has its own temp file; rounds of all sides alternate so they share the
/// machine's noise. Reader throughput, sampled read latency and the writer's growth-step latency are
/// kept per side. When the process may use more CPUs than there are threads, the writer (the calling
/// thread) and each reader are pinned to CPUs of their own, so the scheduler cannot stack a reader on
/// the writer's CPU in one side's round and not in another's.
/// </summary>
public sealed class StorageGrowthBench : IDisposable
{
    /// <summary>The bytes one growth step appends.</summary>
    public const int StepBytes = 1 << 20;

    /// <summary>The writer's period.</summary>
    public static readonly TimeSpan StepPeriod = TimeSpan.FromMilliseconds(2);

    private readonly Side[] _sides;
    private readonly int _readers;
    private readonly int[]? _cpus;
    private readonly byte[] _step;

    /// <summary>Creates one file of <paramref name="initialBytes"/> per side.</summary>
    public StorageGrowthBench(long initialBytes, int readers)
    {
        _readers = readers;
        var allowed = ThreadAffinity.Get().ToArray();
        _cpus = allowed.Length >= readers + 1 ? allowed[..(readers + 1)] : null;
        _step = new byte[StepBytes];
        new Random(11).NextBytes(_step);
        _sides = [new Side("reserve", GrowthStrategy.Reserve), new Side("usecount", GrowthStrategy.UseCount), new Side("smr", GrowthStrategy.Smr), new Side("pread-only", null)];
        try
        {
            foreach (var side in _sides)
            {
                side.Open(initialBytes, _step);
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>The CPUs of the writer and the readers, in that order, or null when they are not pinned.</summary>
    public IReadOnlyList<int>? Cpus => _cpus;

    /// <summary>The sides by name: reserve, usecount, smr, pread-only.</summary>
    public IReadOnlyList<Side> Sides => _sides;

    /// <summary>Runs one round of every side, each for <paramref name="duration"/>.</summary>
    public void RunRound(TimeSpan duration)
    {
        var before = _cpus is null ? null : ThreadAffinity.Get();
        try
        {
            if (_cpus is not null)
            {
                ThreadAffinity.PinCurrentThread(_cpus[0]);
            }
            foreach (var side in _sides)
            {
                Run(side, duration);
            }
        }
        finally
        {
            if (before is not null)
            {
                ThreadAffinity.PinCurrentThread(before);
            }
        }
    }

    private void Run(Side side, TimeSpan duration)
    {
        var stop = 0;
        var readerThreads = new Thread[_readers];
        var histograms = new StorageLatencyHistogram[_readers];
        var reads = new long[_readers];
        var cpuNs = new long[_readers];
        Exception? failure = null;
        for (var r = 0; r < _readers; r++)
        {
            var index = r;
            histograms[r] = new StorageLatencyHistogram();
            readerThreads[r] = new Thread(() =>
            {
                try
                {
                    if (_cpus is not null)
                    {
                        ThreadAffinity.PinCurrentThread(_cpus[index + 1]);
                    }
                    var cpuStart = StorageWriterClock.ThreadCpuNs();
                    reads[index] = side.File is { } file
                        ? ReadUntilStopped(new MappedReader(file), histograms[index], ref stop, index)
                        : ReadUntilStopped(new PreadReader(side), histograms[index], ref stop, index);
                    cpuNs[index] = StorageWriterClock.ThreadCpuNs() - cpuStart;
                }
                catch (Exception e)
                {
                    Interlocked.CompareExchange(ref failure, e, null);
                }
            });
        }

        var start = Stopwatch.GetTimestamp();
        foreach (var t in readerThreads)
        {
            t.Start();
        }
        Grow(side, start, duration);
        Volatile.Write(ref stop, 1);
        foreach (var t in readerThreads)
        {
            t.Join();
        }
        var elapsedNs = Stopwatches.ElapsedNs(start);
        if (failure is not null)
        {
            throw new InvalidOperationException($"a reader failed on side {side.Name}", failure);
        }
        for (var r = 0; r < _readers; r++)
        {
            side.Reads += reads[r];
            side.Latency.Add(histograms[r]);
            side.ReaderCpuNs += cpuNs[r];
        }
        side.ReaderNs += elapsedNs * _readers;
    }

    private void Grow(Side side, long start, TimeSpan duration)
    {
        var period = StepPeriod.TotalNanoseconds;
        var next = 0.0;
        var cpuStart = StorageWriterClock.ThreadCpuNs();
        while (true)
        {
            var now = Stopwatches.ElapsedNs(start);
            if (now >= duration.TotalNanoseconds)
            {
                side.WriterCpuNs += StorageWriterClock.ThreadCpuNs() - cpuStart;
                side.WriterWallNs += now;
                return;
            }
            var wait = next - now;
            if (wait > 0)
            {
                // Sleep to the next step: a writer that spun (yielding) through its idle time would take
                // the readers' cores on this two-core machine, and most from the side that grows fastest.
                StorageWriterClock.Sleep((long)wait);
                continue;
            }
            var t0 = Stopwatch.GetTimestamp();
            side.Append(_step);
            var total = Stopwatches.ElapsedNs(t0);
            side.AppendNs.Add(total);
            side.ExtendNs.Add(side.File is { } file ? Stopwatches.ElapsedNs(0, file.LastGrowthStepTicks) : total);
            // Keep the 2 ms cadence; a writer that fell behind does not burst to catch up.
            next = Math.Max(next + period, Stopwatches.ElapsedNs(start) - period);
        }
    }

    private static long ReadUntilStopped<TReader>(TReader reader, StorageLatencyHistogram latency, ref int stop, int seed)
        where TReader : struct, IPageReader
    {
        var random = new Random(seed + 100);
        // Every side copies into a 64-byte-aligned destination, as in random-4KiB (a copy's speed depends on it).
        var buffer = new AlignedBuffer(4096).Span;
        long reads = 0;
        while (Volatile.Read(ref stop) == 0)
        {
            for (var k = 0; k < 64; k++)
            {
                var offset = random.NextInt64(reader.Length / 4096) * 4096;
                if ((k & 7) == 0)
                {
                    var t0 = Stopwatch.GetTimestamp();
                    reader.Read(offset, buffer);
                    latency.Record(Stopwatches.ElapsedNs(t0));
                }
                else
                {
                    reader.Read(offset, buffer);
                }
            }
            reads += 64;
        }
        return reads;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var side in _sides)
        {
            side.Dispose();
        }
    }

    private interface IPageReader
    {
        long Length { get; }

        void Read(long offset, Span<byte> destination);
    }

    private readonly struct MappedReader(MappedFile file) : IPageReader
    {
        public long Length => file.Length;

        public void Read(long offset, Span<byte> destination) => file.Read(offset, destination);
    }

    private readonly struct PreadReader(Side side) : IPageReader
    {
        public long Length => Volatile.Read(ref side.PreadLength);

        public void Read(long offset, Span<byte> destination) => RandomAccess.Read(side.Handle!, destination, offset);
    }

    /// <summary>One way of growing under readers, with its file and what was measured on it.</summary>
    public sealed class Side : IDisposable
    {
        internal long PreadLength;

        internal Side(string name, GrowthStrategy? strategy)
        {
            Name = name;
            Strategy = strategy;
            FilePath = Path.Combine(Path.GetTempPath(), $"bitfuse-storage-growth-{name}-{Environment.ProcessId}-{Guid.NewGuid():N}.dat");
        }

        /// <summary>reserve, usecount, smr or pread-only.</summary>
        public string Name { get; }

        /// <summary>The strategy, or null for plain pread/pwrite.</summary>
        public GrowthStrategy? Strategy { get; }

        /// <summary>The side's temp file.</summary>
        public string FilePath { get; }

        /// <summary>The mapped file (strategy sides).</summary>
        public MappedFile? File { get; private set; }

        /// <summary>The read/write handle (pread-only side).</summary>
        public SafeFileHandle? Handle { get; private set; }

        /// <summary>Reads done by all readers over all rounds.</summary>
        public long Reads { get; internal set; }

        /// <summary>Reader-thread nanoseconds over all rounds (wall time times readers).</summary>
        public double ReaderNs { get; internal set; }

        /// <summary>CPU time the reader threads got, summed: reads per reader CPU-ns leaves out the time the writer took from them.</summary>
        public double ReaderCpuNs { get; internal set; }

        /// <summary>Sampled read latencies (every eighth read).</summary>
        public StorageLatencyHistogram Latency { get; } = new();

        /// <summary>Nanoseconds of every growth step without its data copy (allocate, map or remap, drain, retire, publish).</summary>
        public List<double> ExtendNs { get; } = [];

        /// <summary>Nanoseconds of every whole 1 MiB append, data copy included.</summary>
        public List<double> AppendNs { get; } = [];

        /// <summary>CPU nanoseconds the writer thread used over all rounds.</summary>
        public double WriterCpuNs { get; internal set; }

        /// <summary>Wall nanoseconds the writer ran over all rounds.</summary>
        public double WriterWallNs { get; internal set; }

        /// <summary>Mean reader nanoseconds per read (inverse throughput).</summary>
        public double NsPerRead => Reads == 0 ? 0 : ReaderNs / Reads;

        internal void Open(long initialBytes, byte[] step)
        {
            if (Strategy is { } strategy)
            {
                File = MappedFile.Create(FilePath, new MappedFileOptions { Strategy = strategy });
            }
            else
            {
                Handle = System.IO.File.OpenHandle(FilePath, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.ReadWrite);
            }
            for (long written = 0; written < initialBytes; written += step.Length)
            {
                Append(step);
            }
            // Fault the pages in (mapped sides) and leave the growth statistics of the set-up behind.
            var buffer = new byte[4096];
            for (long offset = 0; offset < initialBytes; offset += 4096)
            {
                if (File is not null)
                {
                    File.Read(offset, buffer);
                }
                else
                {
                    RandomAccess.Read(Handle!, buffer, offset);
                }
            }
            ExtendNs.Clear();
            AppendNs.Clear();
        }

        internal void Append(byte[] data)
        {
            if (File is not null)
            {
                File.Append(data);
                return;
            }
            var offset = PreadLength;
            RandomAccess.Write(Handle!, data, offset);
            Volatile.Write(ref PreadLength, offset + data.Length);
        }

        /// <inheritdoc />
        public void Dispose()
        {
            File?.Dispose();
            Handle?.Dispose();
            System.IO.File.Delete(FilePath);
        }
    }
}
