using Bitfuse.Benchmarks.Compare;

namespace Bitfuse.Benchmarks.Suites;

/// <summary>
/// <c>compare limit</c>: the machine's streaming ceilings at three sizes (L1/L2, L3, DRAM).
/// <c>read-*</c> is a vector XOR-reduce against the scalar loop; <c>copy-*</c> is a vector copy against
/// <see cref="Buffer.MemoryCopy"/>. Rows carry GB/s in <c>extra</c>.
/// </summary>
public sealed unsafe class LimitSuite : ICompareSuite
{
    /// <summary>The buffer sizes, named as in case names.</summary>
    public static readonly (string Name, long Bytes)[] Sizes = [("8KiB", 8 << 10), ("2MiB", 2 << 20), ("64MiB", 64 << 20)];

    /// <inheritdoc />
    public string Name => "limit";

    /// <inheritdoc />
    public string Description => "streaming read (vector XOR-reduce) and copy, GB/s, at 8 KiB, 2 MiB and 64 MiB";

    /// <inheritdoc />
    public void Run(CompareContext context)
    {
        foreach (var (sizeName, bytes) in Sizes)
        {
            using var source = new NativeBuffer(bytes, seed: 1);
            using var destination = new NativeBuffer(bytes, seed: 2);
            var words = source.Words;
            ulong sink = 0;

            // Both sides compute the same XOR, and the copies the same bytes, before anything is timed.
            CompareContext.Check($"read-{sizeName}",
                [("vector", Answer.OfCount((long)MemoryLimits.XorReduce(source.Pointer, words))), ("scalar", Answer.OfCount((long)MemoryLimits.XorReduceScalar(source.Pointer, words)))]);
            MemoryLimits.Copy(source.Pointer, destination.Pointer, words);
            if (!source.Span.SequenceEqual(destination.Span))
            {
                throw new AnswerMismatchException($"copy-{sizeName}: the vector copy differs from its source");
            }

            var read = context.MeasureSides(
            [
                () => sink ^= MemoryLimits.XorReduce(source.Pointer, words),
                () => sink ^= MemoryLimits.XorReduceScalar(source.Pointer, words),
            ]);
            context.Record(read.Row(context.Suite, $"read-{sizeName}", "scalar", 0, 1,
                extra: Throughput(bytes, read[0], read[1]), note: "vector XOR-reduce vs a scalar ulong loop"));

            var copy = context.MeasureSides(
            [
                () => MemoryLimits.Copy(source.Pointer, destination.Pointer, words),
                () => Buffer.MemoryCopy(source.Pointer, destination.Pointer, bytes, bytes),
            ]);
            context.Record(copy.Row(context.Suite, $"copy-{sizeName}", "memorycopy", 0, 1,
                extra: Throughput(bytes, copy[0], copy[1]), note: "vector copy vs Buffer.MemoryCopy"));
            GC.KeepAlive(sink);
        }
    }

    /// <summary>GB/s of both sides for a pass over <paramref name="bytes"/>.</summary>
    public static Dictionary<string, double> Throughput(long bytes, double subjectNs, double baselineNs) => new()
    {
        ["bytes"] = bytes,
        ["subject_gbps"] = bytes / subjectNs,
        ["baseline_gbps"] = bytes / baselineNs,
    };
}
