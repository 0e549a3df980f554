namespace Bitfuse;

/// <summary>
/// Ranges and navigation: each question finds the first container it concerns by binary search over the keys
/// and lets the container answer for its own kind (array search, bitset word scan, run search); only whole
/// containers in between are taken by their cardinality.
/// </summary>
public sealed partial class Bitmap
{
    /// <summary>The smallest value &gt;= <paramref name="value"/>, or null when there is none.</summary>
    public uint? NextValue(uint value)
    {
        ThrowIfDisposed();
        var i = IndexOfKey((ushort)(value >> 16));
        if (i >= 0)
        {
            var low = _containers[i].NextValue((ushort)value);
            if (low >= 0)
            {
                return value & 0xFFFF_0000u | (uint)low;
            }
            i++;
        }
        else
        {
            i = ~i;
        }
        return i < _size ? (uint)_keys[i] << 16 | _containers[i].Min : null;
    }

    /// <summary>The largest value &lt;= <paramref name="value"/>, or null when there is none.</summary>
    public uint? PreviousValue(uint value)
    {
        ThrowIfDisposed();
        var i = IndexOfKey((ushort)(value >> 16));
        if (i >= 0)
        {
            var low = _containers[i].PreviousValue((ushort)value);
            if (low >= 0)
            {
                return value & 0xFFFF_0000u | (uint)low;
            }
            i--;
        }
        else
        {
            i = ~i - 1;
        }
        return i >= 0 ? (uint)_keys[i] << 16 | _containers[i].Max : null;
    }

    /// <summary>The smallest value &gt;= <paramref name="value"/> that is not in the bitmap, or null when every value from there up to <see cref="uint.MaxValue"/> is.</summary>
    public uint? NextAbsentValue(uint value)
    {
        ThrowIfDisposed();
        var key = (int)(value >> 16);
        var i = IndexOfKey((ushort)key);
        var low = (ushort)value;
        while (i >= 0)
        {
            var absent = _containers[i].NextAbsent(low);
            if (absent < 65536)
            {
                return (uint)key << 16 | (uint)absent;
            }
            if (key == ushort.MaxValue)
            {
                return null;
            }
            // The container is full from `low` up: the answer is in the next key, absent altogether unless present.
            key++;
            i = i + 1 < _size && _keys[i + 1] == key ? i + 1 : -1;
            low = 0;
        }
        return (uint)key << 16 | low;
    }

    /// <summary>How many values lie in <c>[start, end)</c>.</summary>
    public long RangeCount(long start, long end)
    {
        ThrowIfDisposed();
        CheckRange(start, end);
        if (start == end)
        {
            return 0;
        }
        var firstKey = (int)(start >> 16);
        var lastKey = (int)((end - 1) >> 16);
        var i = IndexOfKey((ushort)firstKey);
        long count = 0;
        for (i = i >= 0 ? i : ~i; i < _size && _keys[i] <= lastKey; i++)
        {
            var key = _keys[i];
            var lo = key == firstKey ? (int)(start & 0xFFFF) : 0;
            var hi = key == lastKey ? (int)((end - 1) & 0xFFFF) + 1 : 65536;
            count += lo == 0 && hi == 65536 ? _containers[i].Cardinality : _containers[i].CountRange(lo, hi);
        }
        return count;
    }

    /// <summary>True when every value in <c>[start, end)</c> is in the bitmap (always for an empty range).</summary>
    public bool ContainsRange(long start, long end)
    {
        ThrowIfDisposed();
        CheckRange(start, end);
        if (start == end)
        {
            return true;
        }
        // Every key the range touches must have a container; only then count.
        var firstKey = (int)(start >> 16);
        var lastKey = (int)((end - 1) >> 16);
        var first = IndexOfKey((ushort)firstKey);
        if (first < 0 || first + lastKey - firstKey >= _size || _keys[first + lastKey - firstKey] != lastKey)
        {
            return false;
        }
        return RangeCount(start, end) == end - start;
    }

    /// <summary>True when at least one value lies in <c>[start, end)</c>.</summary>
    public bool IntersectsRange(long start, long end)
    {
        ThrowIfDisposed();
        CheckRange(start, end);
        return start < end && NextValue((uint)start) is { } next && next < end;
    }

    /// <summary>The value at zero-based position <paramref name="rank"/> in ascending order, when there is one.</summary>
    public bool TrySelect(long rank, out uint value)
    {
        ThrowIfDisposed();
        if (rank < 0 || rank >= _count)
        {
            value = 0;
            return false;
        }
        value = Select(rank);
        return true;
    }

    /// <summary>
    /// Writes to <paramref name="ranks"/>[i] how many values are &lt;= <paramref name="values"/>[i] (see
    /// <see cref="Rank(uint)"/>). Ascending input is answered in one pass over the containers; any order is correct.
    /// </summary>
    public void Rank(ReadOnlySpan<uint> values, Span<long> ranks)
    {
        ThrowIfDisposed();
        if (ranks.Length < values.Length)
        {
            throw new ArgumentException($"Destination holds {ranks.Length} ranks; {values.Length} values were given.", nameof(ranks));
        }
        var i = 0;
        long before = 0;
        var previous = 0u;
        for (var v = 0; v < values.Length; v++)
        {
            var value = values[v];
            if (value < previous)
            {
                i = 0;
                before = 0;
            }
            previous = value;
            var key = (ushort)(value >> 16);
            while (i < _size && _keys[i] < key)
            {
                before += _containers[i].Cardinality;
                i++;
            }
            ranks[v] = i < _size && _keys[i] == key ? before + _containers[i].Rank((ushort)value) : before;
        }
    }
}
