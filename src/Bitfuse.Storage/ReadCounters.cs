using System.Numerics;
using System.Runtime.InteropServices;

namespace Bitfuse.Storage;

/// <summary>
/// Read counters striped by processor: each slot fills its own cache line, so readers on different
/// cores never contend on one counter. A snapshot sums the slots.
/// </summary>
internal sealed class ReadCounters
{
    [StructLayout(LayoutKind.Explicit, Size = 128)]
    private struct Slot
    {
        [FieldOffset(64)] public long MappedReads;
        [FieldOffset(72)] public long SystemCallReads;
        [FieldOffset(80)] public long Bytes;
    }

    private readonly Slot[] _slots;
    private readonly int _mask;

    public ReadCounters()
    {
        var count = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(Environment.ProcessorCount, 1));
        _slots = new Slot[count];
        _mask = count - 1;
    }

    public void CountMapped(long bytes)
    {
        ref var slot = ref _slots[Thread.GetCurrentProcessorId() & _mask];
        Interlocked.Increment(ref slot.MappedReads);
        Interlocked.Add(ref slot.Bytes, bytes);
    }

    public void CountSystemCall(long bytes)
    {
        ref var slot = ref _slots[Thread.GetCurrentProcessorId() & _mask];
        Interlocked.Increment(ref slot.SystemCallReads);
        Interlocked.Add(ref slot.Bytes, bytes);
    }

    public (long MappedReads, long SystemCallReads, long Bytes) Sum()
    {
        long mapped = 0, calls = 0, bytes = 0;
        for (var i = 0; i < _slots.Length; i++)
        {
            mapped += Volatile.Read(ref _slots[i].MappedReads);
            calls += Volatile.Read(ref _slots[i].SystemCallReads);
            bytes += Volatile.Read(ref _slots[i].Bytes);
        }
        return (mapped, calls, bytes);
    }
}
