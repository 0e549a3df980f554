using System.Collections;

namespace Bitfuse;

public sealed partial class Bitmap64
{
    /// <summary>The values in ascending order, without allocating.</summary>
    public Enumerator GetEnumerator()
    {
        ThrowIfDisposed();
        return new Enumerator(this);
    }

    IEnumerator<ulong> IEnumerable<ulong>.GetEnumerator() => GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>
    /// Calls <paramref name="action"/> with consecutive batches of the values, ascending (one call per batch of up to
    /// 256 values, not one per value). The span is valid only during the call; changing the set meanwhile throws.
    /// </summary>
    public void ForEach(Action<ReadOnlySpan<ulong>> action)
    {
        ArgumentNullException.ThrowIfNull(action);
        ThrowIfDisposed();
        var version = _version;
        Span<uint> lows = stackalloc uint[256];
        Span<ulong> batch = stackalloc ulong[256];
        for (var i = 0; i < _size; i++)
        {
            var high = (ulong)_highs[i] << 32;
            var reader = _buckets[i].GetReader();
            int n;
            while ((n = reader.Read(lows)) > 0)
            {
                for (var k = 0; k < n; k++)
                {
                    batch[k] = high | lows[k];
                }
                action(batch[..n]);
                CheckVersion(version);
            }
        }
    }

    /// <summary>Copies the values in ascending order to <paramref name="destination"/>; returns how many.</summary>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is shorter than <see cref="Count"/>.</exception>
    public int CopyTo(Span<ulong> destination)
    {
        if (destination.Length < Count)
        {
            throw new ArgumentException($"Destination holds {destination.Length} values; the set has {_count}.", nameof(destination));
        }
        var k = 0;
        foreach (var value in this)
        {
            destination[k++] = value;
        }
        return k;
    }

    // Throws when the set was disposed or changed after an enumerator took version.
    private void CheckVersion(int version)
    {
        if (_version != version)
        {
            ThrowIfDisposed();
            throw new InvalidOperationException("The set changed while it was being enumerated.");
        }
    }

    /// <summary>
    /// Enumerates a set's values in ascending order without allocating. Changing or disposing the set while an
    /// enumerator is in use makes the enumerator's next step throw (a version stamp is checked on every step).
    /// </summary>
    public struct Enumerator : IEnumerator<ulong>
    {
        private readonly Bitmap64 _set;
        private readonly int _version;
        private int _bucket;
        private ulong _high;
        private Bitmap.Enumerator _values;
        private ulong _current;

        internal Enumerator(Bitmap64 set)
        {
            _set = set;
            _version = set._version;
            _bucket = -1;
        }

        /// <summary>The value at the current position.</summary>
        public readonly ulong Current => _current;

        readonly object IEnumerator.Current => _current;

        /// <summary>Moves to the next value; false past the last.</summary>
        public bool MoveNext()
        {
            _set.CheckVersion(_version);
            while (true)
            {
                if (_bucket >= 0 && _bucket < _set._size && _values.MoveNext())
                {
                    _current = _high | _values.Current;
                    return true;
                }
                if (_bucket >= _set._size || ++_bucket >= _set._size)
                {
                    return false;
                }
                _high = (ulong)_set._highs[_bucket] << 32;
                _values = _set._buckets[_bucket].GetEnumerator();
            }
        }

        /// <summary>Starts again before the first value.</summary>
        public void Reset() => this = new Enumerator(_set);

        /// <summary>Nothing to release.</summary>
        public readonly void Dispose()
        {
        }
    }
}
