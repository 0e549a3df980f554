using System.Runtime.InteropServices;

namespace Bitfuse.Benchmarks.Suites;

/// <summary>
/// The cross-thread loop (like umaperf): the calling thread allocates items and passes them through a
/// single-producer single-consumer ring to a consumer thread that frees them. The consumer sleeps on an event
/// between runs so idle pipes do not steal the CPU from the side being measured.
/// </summary>
public sealed class MemoryPipe<T, TSource> : IDisposable
    where TSource : struct, IItemSource<T>
{
    private const int RingSize = 4096;
    private readonly T[] _ring = new T[RingSize];
    private readonly Thread _consumer;
    private readonly ManualResetEventSlim _work = new();
    private readonly TSource _producerSource;
    private readonly TSource _consumerSource;
    private MemoryPipePositions _positions;
    private volatile bool _stop;

    /// <summary>Starts the consumer thread.</summary>
    public MemoryPipe(TSource source)
    {
        _producerSource = source;
        _consumerSource = source;
        _consumer = new Thread(Consume) { IsBackground = true, Name = "memory-pipe-consumer" };
        _consumer.Start();
    }

    /// <summary>Passes <paramref name="items"/> fresh items to the consumer and returns once all are freed.</summary>
    public void Run(int items)
    {
        var ring = _ring;
        var head = _positions.Head;
        var end = head + items;
        _work.Set();
        var spinner = new SpinWait();
        while (head < end)
        {
            if (head - Volatile.Read(ref _positions.Tail) == RingSize)
            {
                spinner.SpinOnce(sleep1Threshold: -1);
                continue;
            }
            ring[head & (RingSize - 1)] = _producerSource.Alloc();
            Volatile.Write(ref _positions.Head, ++head);
        }
        while (Volatile.Read(ref _positions.Tail) != end)
        {
            spinner.SpinOnce(sleep1Threshold: -1);
        }
        _work.Reset();
    }

    private void Consume()
    {
        var ring = _ring;
        while (true)
        {
            _work.Wait();
            if (_stop)
            {
                return;
            }
            var tail = _positions.Tail;
            var head = Volatile.Read(ref _positions.Head);
            if (tail == head)
            {
                Thread.SpinWait(20);
                continue;
            }
            while (tail != head)
            {
                ref var slot = ref ring[tail & (RingSize - 1)];
                _consumerSource.Free(slot);
                slot = default!;
                tail++;
            }
            Volatile.Write(ref _positions.Tail, tail);
        }
    }

    /// <summary>Stops the consumer.</summary>
    public void Dispose()
    {
        _stop = true;
        _work.Set();
        _consumer.Join();
        _work.Dispose();
    }
}

/// <summary>The ring's producer and consumer positions, each on its own cache line (outside the generic pipe: generic types cannot have explicit layout).</summary>
[StructLayout(LayoutKind.Explicit, Size = 256)]
internal struct MemoryPipePositions
{
    [FieldOffset(64)] public long Head;
    [FieldOffset(192)] public long Tail;
}
