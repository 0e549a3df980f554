namespace Bitfuse;

public sealed partial class Bitmap64
{
    /// <summary>The smallest value &gt;= <paramref name="value"/>, or null when there is none.</summary>
    public ulong? NextValue(ulong value)
    {
        ThrowIfDisposed();
        var high = (uint)(value >> 32);
        var i = IndexOf(high);
        if (i >= 0)
        {
            if (_buckets[i].NextValue((uint)value) is { } low)
            {
                return (ulong)high << 32 | low;
            }
            i++;
        }
        else
        {
            i = ~i;
        }
        return i < _size ? (ulong)_highs[i] << 32 | _buckets[i].Min : null;
    }

    /// <summary>The largest value &lt;= <paramref name="value"/>, or null when there is none.</summary>
    public ulong? PreviousValue(ulong value)
    {
        ThrowIfDisposed();
        var high = (uint)(value >> 32);
        var i = IndexOf(high);
        if (i >= 0)
        {
            if (_buckets[i].PreviousValue((uint)value) is { } low)
            {
                return (ulong)high << 32 | low;
            }
            i--;
        }
        else
        {
            i = ~i - 1;
        }
        return i >= 0 ? (ulong)_highs[i] << 32 | _buckets[i].Max : null;
    }

    /// <summary>The value at zero-based position <paramref name="rank"/> in ascending order.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="rank"/> is negative or not below <see cref="Count"/>.</exception>
    public ulong Select(long rank) =>
        TrySelect(rank, out var value) ? value : throw new ArgumentOutOfRangeException(nameof(rank), rank, $"The set holds {_count} values.");

    /// <summary>The value at zero-based position <paramref name="rank"/> in ascending order, when there is one.</summary>
    public bool TrySelect(long rank, out ulong value)
    {
        ThrowIfDisposed();
        value = 0;
        if (rank < 0 || rank >= _count)
        {
            return false;
        }
        var i = 0;
        while (rank >= _buckets[i].Count)
        {
            rank -= _buckets[i].Count;
            i++;
        }
        value = (ulong)_highs[i] << 32 | _buckets[i].Select(rank);
        return true;
    }

    /// <summary>
    /// Writes to <paramref name="results"/>[i] whether <paramref name="values"/>[i] is in the set; consecutive
    /// values with the same high half share one bucket search.
    /// </summary>
    public void ContainsMany(ReadOnlySpan<ulong> values, Span<bool> results)
    {
        ThrowIfDisposed();
        if (results.Length < values.Length)
        {
            throw new ArgumentException($"Destination holds {results.Length} results; {values.Length} values were given.", nameof(results));
        }
        var lastHigh = -1L;
        Bitmap? bucket = null;
        for (var i = 0; i < values.Length; i++)
        {
            var high = (uint)(values[i] >> 32);
            if (high != lastHigh)
            {
                lastHigh = high;
                var at = IndexOf(high);
                bucket = at >= 0 ? _buckets[at] : null;
            }
            results[i] = bucket is not null && bucket.Contains((uint)values[i]);
        }
    }
}
