namespace Bitfuse.Isolation.Noise;

/// <summary>
/// A preallocated ring of gaps over the threshold: when it is full the oldest entries are overwritten and
/// counted as dropped. Writes never allocate. Capacity is a power of two so the slot is <c>count &amp; mask</c>.
/// </summary>
public sealed class GapEventRing
{
    /// <summary>A ring of <paramref name="capacity"/> entries (rounded up to a power of two, at least 16).</summary>
    public GapEventRing(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(capacity, 1 << 26);
        var size = (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Math.Max(capacity, 16));
        Starts = new ulong[size];
        Gaps = new ulong[size];
    }

    /// <summary>Start timestamps of the gaps, by slot.</summary>
    internal ulong[] Starts { get; }

    /// <summary>Gap lengths in ticks, by slot.</summary>
    internal ulong[] Gaps { get; }

    /// <summary>How many entries fit.</summary>
    public int Capacity => Starts.Length;

    /// <summary>How many gaps were written in all (the loop keeps this count).</summary>
    public long Written { get; internal set; }

    /// <summary>How many of the written gaps were overwritten.</summary>
    public long Dropped => Math.Max(0, Written - Capacity);

    /// <summary>Writes one gap (outside the measurement loop, which inlines the same two stores).</summary>
    public void Add(ulong start, ulong gap)
    {
        var slot = (int)(Written & (Capacity - 1));
        Starts[slot] = start;
        Gaps[slot] = gap;
        Written++;
    }

    /// <summary>The kept gaps, oldest first: (start timestamp, length in ticks).</summary>
    public IReadOnlyList<(ulong Start, ulong Gap)> Snapshot()
    {
        var kept = (int)Math.Min(Written, Capacity);
        var result = new (ulong, ulong)[kept];
        var first = Written - kept;
        for (var i = 0; i < kept; i++)
        {
            var slot = (int)((first + i) & (Capacity - 1));
            result[i] = (Starts[slot], Gaps[slot]);
        }
        return result;
    }
}
