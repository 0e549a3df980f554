using System.Buffers;
using System.Runtime.CompilerServices;
using Bitfuse.Bitmaps;

namespace Bitfuse;

/// <summary>
/// A set of <see cref="uint"/> values stored the Roaring way: sorted 16-bit keys (the high halves), each with
/// one container (array, bitset or run) for the low halves. Container payloads live outside the managed heap;
/// dispose the bitmap to return them (a finalizer is only a safety net).
/// </summary>
/// <remarks>
/// Not thread-safe for writers: one thread may change a bitmap at a time, and no one may read it meanwhile.
/// Any number of threads may read a bitmap that nobody changes (every read-only member, including the
/// pairwise operations that build new bitmaps). A view created by <see cref="CreateView(ReadOnlyMemory{byte})"/>
/// borrows its payloads from a serialized buffer and is read-only.
/// Ranges are half-open: <c>[start, end)</c> with <c>0 &lt;= start &lt;= end &lt;= 2^32</c>.
/// </remarks>
public sealed unsafe partial class Bitmap : IDisposable, IEnumerable<uint>
{
    private ushort[] _keys;
    private Container[] _containers;
    private int _size;
    private long _count;
    private readonly bool _readOnly;
    private bool _disposed;

    // Stepped by every change (and by Dispose); an enumerator remembers it and checks it on every step.
    private int _version;
    private MemoryHandle _pin;

    // The packed array and run payloads of a deserialized bitmap; containers pointing into it are not Owned.
    private PayloadBlock _block;

    // Releases the payloads if this bitmap is dropped undisposed; null once disposed.
    private BitmapGuard? _guard;

    /// <summary>Creates an empty bitmap.</summary>
    public Bitmap()
    {
        _keys = [];
        _containers = [];
        _guard = BitmapGuard.For(this);
    }

    private Bitmap(int capacity)
    {
        _keys = capacity == 0 ? [] : new ushort[capacity];
        _containers = capacity == 0 ? [] : new Container[capacity];
        _guard = BitmapGuard.For(this);
    }

    /// <summary>Number of values, kept up to date (O(1)).</summary>
    public long Count
    {
        get
        {
            ThrowIfDisposed();
            return _count;
        }
    }

    /// <summary>True when the bitmap holds no value.</summary>
    public bool IsEmpty => Count == 0;

    /// <summary>True for a view that borrows its payloads (see <see cref="CreateView(ReadOnlyMemory{byte})"/>).</summary>
    public bool IsReadOnly => _readOnly;

    /// <summary>The number of containers (distinct high halves).</summary>
    internal int ContainerCount => _size;

    /// <summary>The keys (high halves) in ascending order, one per container.</summary>
    internal ReadOnlySpan<ushort> Keys
    {
        get
        {
            ThrowIfDisposed();
            return _keys.AsSpan(0, _size);
        }
    }

    /// <summary>The containers, parallel to <see cref="Keys"/>. Read-only: the bitmap owns them.</summary>
    internal ReadOnlySpan<Container> Containers
    {
        get
        {
            ThrowIfDisposed();
            return _containers.AsSpan(0, _size);
        }
    }

    /// <summary>The key of container <paramref name="index"/>.</summary>
    internal ushort KeyAt(int index) => _keys[index];

    /// <summary>Container <paramref name="index"/> (in key order).</summary>
    internal ref readonly Container ContainerAt(int index) => ref _containers[index];

    /// <summary>Index of the container for <paramref name="key"/>, or the bitwise complement of its insertion point.</summary>
    internal int IndexOfKey(ushort key)
    {
        var keys = _keys;
        var hi = _size - 1;
        if (hi >= 0 && keys[hi] == key)
        {
            return hi;
        }
        var lo = 0;
        while (lo <= hi)
        {
            var mid = (lo + hi) >>> 1;
            var k = keys[mid];
            if (k < key)
            {
                lo = mid + 1;
            }
            else if (k > key)
            {
                hi = mid - 1;
            }
            else
            {
                return mid;
            }
        }
        return ~lo;
    }

    /// <summary>
    /// Appends a container whose key is greater than every key present, taking ownership of it. An empty
    /// descriptor is ignored. This is how operations and the query engine build results.
    /// </summary>
    internal void AppendContainer(ushort key, Container container)
    {
        if (container.Cardinality == 0)
        {
            return;
        }
        if (_size > 0 && _keys[_size - 1] >= key)
        {
            container.Free();
            throw new ArgumentException("Container keys must be appended in ascending order.", nameof(key));
        }
        if (_size == _keys.Length)
        {
            Grow(_size + 1);
        }
        _keys[_size] = key;
        _containers[_size] = container;
        _size++;
        _count += container.Cardinality;
    }

    /// <summary>Builds a bitmap from (key, container) pairs in ascending key order, taking ownership of the containers.</summary>
    internal static Bitmap FromContainers(ReadOnlySpan<ushort> keys, ReadOnlySpan<Container> containers)
    {
        if (keys.Length != containers.Length)
        {
            throw new ArgumentException("One key per container.", nameof(containers));
        }
        var bitmap = new Bitmap(keys.Length);
        for (var i = 0; i < keys.Length; i++)
        {
            bitmap.AppendContainer(keys[i], containers[i]);
        }
        return bitmap;
    }

    /// <summary>A bitmap holding <paramref name="values"/> (in any order, duplicates allowed; sorted input is fastest).</summary>
    public static Bitmap FromValues(ReadOnlySpan<uint> values)
    {
        var bitmap = new Bitmap();
        bitmap.AddMany(values);
        return bitmap;
    }

    /// <summary>A bitmap holding <paramref name="values"/>.</summary>
    public static Bitmap FromValues(IEnumerable<uint> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        return FromValues(values is uint[] array ? array : values.ToArray());
    }

    /// <summary>A bitmap holding every value in <c>[start, end)</c>.</summary>
    public static Bitmap FromRange(long start, long end)
    {
        var bitmap = new Bitmap();
        bitmap.AddRange(start, end);
        return bitmap;
    }

    /// <summary>True when <paramref name="value"/> is in the bitmap.</summary>
    public bool Contains(uint value)
    {
        ThrowIfDisposed();
        var i = IndexOfKey((ushort)(value >> 16));
        return i >= 0 && _containers[i].Contains((ushort)value);
    }

    /// <summary>Adds <paramref name="value"/>; returns true when it was not there before.</summary>
    public bool Add(uint value)
    {
        BeginChange();
        var key = (ushort)(value >> 16);
        var low = (ushort)value;
        var i = IndexOfKey(key);
        if (i < 0)
        {
            var c = Container.NewArray(1);
            c.Values[0] = low;
            c.Length = c.Cardinality = 1;
            InsertContainer(~i, key, c);
            return true;
        }
        ref var container = ref _containers[i];
        if (!AddLow(ref container, low))
        {
            return false;
        }
        _count++;
        return true;
    }

    /// <summary>Removes <paramref name="value"/>; returns true when it was there.</summary>
    public bool Remove(uint value)
    {
        BeginChange();
        var i = IndexOfKey((ushort)(value >> 16));
        if (i < 0)
        {
            return false;
        }
        ref var c = ref _containers[i];
        var low = (ushort)value;
        if (!c.Contains(low))
        {
            return false;
        }
        if (c.Kind == ContainerKind.Run)
        {
            ContainerAlgebra.ConvertRunToPlain(ref c);
        }
        if (c.Kind == ContainerKind.Array)
        {
            var at = ArrayContainer.IndexOf(c.Values, c.Length, low);
            var tail = c.Length - at - 1;
            Buffer.MemoryCopy(c.Values + at + 1, c.Values + at, 2L * tail, 2L * tail);
            c.Length--;
            c.Cardinality--;
        }
        else
        {
            c.Words[low >> 6] &= ~(1UL << low);
            c.Cardinality--;
            ContainerAlgebra.Normalize(ref c, considerRuns: false);
        }
        _count--;
        if (c.Cardinality == 0)
        {
            c.Free();
            RemoveContainerAt(i);
        }
        return true;
    }

    /// <summary>Adds many values; sorted input takes a fast path that builds whole containers at once.</summary>
    public void AddMany(ReadOnlySpan<uint> values) => ChangeMany(values, add: true);

    /// <summary>Removes many values (absent ones are ignored); like <see cref="AddMany"/>, each key's values go in as one container.</summary>
    public void RemoveMany(ReadOnlySpan<uint> values) => ChangeMany(values, add: false);

    /// <summary>
    /// Writes to <paramref name="results"/>[i] whether <paramref name="values"/>[i] is in the bitmap; consecutive
    /// values with the same high half share one key search.
    /// </summary>
    public void ContainsMany(ReadOnlySpan<uint> values, Span<bool> results)
    {
        ThrowIfDisposed();
        if (results.Length < values.Length)
        {
            throw new ArgumentException($"Destination holds {results.Length} results; {values.Length} values were given.", nameof(results));
        }
        var lastKey = -1;
        var at = -1;
        for (var i = 0; i < values.Length; i++)
        {
            var value = values[i];
            var key = (int)(value >> 16);
            if (key != lastKey)
            {
                at = IndexOfKey((ushort)key);
                lastKey = key;
            }
            results[i] = at >= 0 && _containers[at].Contains((ushort)value);
        }
    }

    /// <summary>Adds or removes the values key by key: each key's sorted chunk becomes one container, merged in one operation.</summary>
    private void ChangeMany(ReadOnlySpan<uint> values, bool add)
    {
        BeginChange();
        if (values.IsEmpty)
        {
            return;
        }
        uint[]? sortedCopy = null;
        if (!IsSorted(values))
        {
            sortedCopy = values.ToArray();
            Array.Sort(sortedCopy);
            values = sortedCopy;
        }
        fixed (uint* p = values)
        {
            var n = values.Length;
            var i = 0;
            while (i < n)
            {
                var key = (ushort)(p[i] >> 16);
                var j = i + 1;
                var limit = (uint)key << 16 | 0xFFFF;
                while (j < n && p[j] <= limit)
                {
                    j++;
                }
                var at = IndexOfKey(key);
                if (at < 0)
                {
                    if (add)
                    {
                        InsertContainer(~at, key, BuildSorted(p + i, j - i));
                    }
                }
                else
                {
                    var chunk = BuildSorted(p + i, j - i);
                    ref readonly var existing = ref _containers[at];
                    var merged = add ? ContainerAlgebra.Or(existing, chunk) : ContainerAlgebra.AndNot(existing, chunk);
                    chunk.Free();
                    ReplaceContainerAt(at, merged);
                }
                i = j;
            }
        }
    }

    /// <summary>Adds every value in <c>[start, end)</c>.</summary>
    public void AddRange(long start, long end) => ChangeRange(start, end, RangeChange.Add);

    /// <summary>Removes every value in <c>[start, end)</c>.</summary>
    public void RemoveRange(long start, long end) => ChangeRange(start, end, RangeChange.Remove);

    /// <summary>Flips every value in <c>[start, end)</c>: present values leave, absent ones join.</summary>
    public void FlipRange(long start, long end) => ChangeRange(start, end, RangeChange.Flip);

    /// <summary>
    /// A read-only window onto this bitmap (as <see cref="List{T}.AsReadOnly"/>): not a copy, so later changes show
    /// through it, and disposing this bitmap ends it. Hand it out where callers may read but must not change.
    /// </summary>
    public ReadOnlyBitmap AsReadOnly()
    {
        ThrowIfDisposed();
        return new ReadOnlyBitmap(this, ownsBitmap: false);
    }

    /// <summary>A new bitmap: this one with every value in <c>[start, end)</c> flipped (the complement within the range).</summary>
    public Bitmap Not(long start, long end)
    {
        var copy = Clone();
        copy.FlipRange(start, end);
        return copy;
    }

    /// <summary>The smallest value; throws when empty.</summary>
    public uint Min
    {
        get
        {
            ThrowIfDisposed();
            ThrowIfEmpty();
            return (uint)_keys[0] << 16 | _containers[0].Min;
        }
    }

    /// <summary>The largest value; throws when empty.</summary>
    public uint Max
    {
        get
        {
            ThrowIfDisposed();
            ThrowIfEmpty();
            return (uint)_keys[_size - 1] << 16 | _containers[_size - 1].Max;
        }
    }

    /// <summary>How many values are &lt;= <paramref name="value"/>.</summary>
    public long Rank(uint value)
    {
        ThrowIfDisposed();
        var key = (ushort)(value >> 16);
        long rank = 0;
        for (var i = 0; i < _size; i++)
        {
            var k = _keys[i];
            if (k < key)
            {
                rank += _containers[i].Cardinality;
            }
            else
            {
                if (k == key)
                {
                    rank += _containers[i].Rank((ushort)value);
                }
                break;
            }
        }
        return rank;
    }

    /// <summary>The value at zero-based position <paramref name="index"/> in ascending order.</summary>
    public uint Select(long index)
    {
        ThrowIfDisposed();
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, _count);
        for (var i = 0; i < _size; i++)
        {
            var card = _containers[i].Cardinality;
            if (index < card)
            {
                return (uint)_keys[i] << 16 | _containers[i].Select((int)index);
            }
            index -= card;
        }
        throw new InvalidOperationException("Bitmap cardinality is inconsistent.");
    }

    /// <summary>Writes every value in ascending order to <paramref name="destination"/> (at least <see cref="Count"/> long); returns how many.</summary>
    public int CopyTo(Span<uint> destination)
    {
        ThrowIfDisposed();
        if (destination.Length < _count)
        {
            throw new ArgumentException($"Destination holds {destination.Length} values; the bitmap has {_count}.", nameof(destination));
        }
        var written = 0;
        fixed (uint* p = destination)
        {
            for (var i = 0; i < _size; i++)
            {
                written += _containers[i].CopyTo((uint)_keys[i] << 16, p + written);
            }
        }
        return written;
    }

    /// <summary>Every value in ascending order.</summary>
    public uint[] ToArray()
    {
        ThrowIfDisposed();
        if (_count > Array.MaxLength)
        {
            throw new InvalidOperationException($"The bitmap holds {_count} values, more than an array can.");
        }
        var array = GC.AllocateUninitializedArray<uint>((int)_count);
        CopyTo(array);
        return array;
    }

    /// <summary>Converts containers to run form where that is smaller (and back where it is not), CRoaring's rule; trims spare capacity.</summary>
    public void Optimize()
    {
        BeginChange();
        if (_keys.Length > _size)
        {
            Array.Resize(ref _keys, _size);
            Array.Resize(ref _containers, _size);
        }
        for (var i = 0; i < _size; i++)
        {
            ref var c = ref _containers[i];
            ContainerAlgebra.Optimize(ref c);
            if (c.Kind == ContainerKind.Array && ContainerMemory.RoundUp(2 * c.Length) < c.CapacityBytes)
            {
                var trimmed = c.Clone();
                c.Free();
                c = trimmed;
            }
        }
    }

    /// <summary>An independent copy that owns its payloads (also of a view).</summary>
    public Bitmap Clone()
    {
        ThrowIfDisposed();
        var copy = new Bitmap(_size);
        for (var i = 0; i < _size; i++)
        {
            copy._keys[i] = _keys[i];
            copy._containers[i] = _containers[i].Clone();
        }
        copy._size = _size;
        copy._count = _count;
        return copy;
    }

    /// <summary>Containers by kind and the bytes they use.</summary>
    public BitmapStatistics GetStatistics()
    {
        ThrowIfDisposed();
        int arrays = 0, bitsets = 0, runs = 0;
        long arrayValues = 0, bitsetValues = 0, runValues = 0, payload = 0, serializedPayload = 0;
        for (var i = 0; i < _size; i++)
        {
            ref readonly var c = ref _containers[i];
            switch (c.Kind)
            {
                case ContainerKind.Array:
                    arrays++;
                    arrayValues += c.Cardinality;
                    break;
                case ContainerKind.Bitset:
                    bitsets++;
                    bitsetValues += c.Cardinality;
                    break;
                default:
                    runs++;
                    runValues += c.Cardinality;
                    break;
            }
            payload += c.Owned ? c.CapacityBytes : 0;
            serializedPayload += c.SerializedBytes;
        }
        payload += _block.Bytes;
        var structure = (long)_keys.Length * sizeof(ushort) + (long)_containers.Length * sizeof(Container);
        return new BitmapStatistics
        {
            Count = _count,
            ArrayContainers = arrays,
            BitsetContainers = bitsets,
            RunContainers = runs,
            ArrayValues = arrayValues,
            BitsetValues = bitsetValues,
            RunValues = runValues,
            PayloadBytes = payload,
            StructureBytes = structure,
            SerializedBytes = SerializedSize(),
        };
    }

    /// <summary>Returns owned payloads to their zones; the bitmap is then empty and refuses changes.</summary>
    public void Dispose()
    {
        Release();
        _guard?.Detach();
        _guard = null;
    }

    /// <summary>The guard's finalizer: returns the payloads of a bitmap dropped without <see cref="Dispose"/>.</summary>
    internal void ReleaseUndisposed() => Release();

    /// <summary>An allocation-free enumerator over the values in ascending order.</summary>
    public Enumerator GetEnumerator()
    {
        ThrowIfDisposed();
        return new(this);
    }

    IEnumerator<uint> IEnumerable<uint>.GetEnumerator() => GetEnumerator();

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>A short description: count and containers by kind.</summary>
    public override string ToString()
    {
        if (_disposed)
        {
            return "Bitmap (disposed)";
        }
        var s = GetStatistics();
        return $"Bitmap: {_count} values in {_size} containers ({s.ArrayContainers} array, {s.BitsetContainers} bitset, {s.RunContainers} run)";
    }

    private void Release()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        _version++;
        for (var i = 0; i < _size; i++)
        {
            _containers[i].Free();
        }
        _size = 0;
        _count = 0;
        _keys = [];
        _containers = [];
        if (_block.Data != null || _readOnly)
        {
            ReleaseBlockAndPin();
        }
    }

    // Out of line: freeing the block and unpinning a view call into native code, whose frame setup would
    // otherwise be paid by every release.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ReleaseBlockAndPin()
    {
        _block.Free();
        _pin.Dispose();
    }

    /// <summary>
    /// Every change starts here: refuses a disposed bitmap or a view, and steps the version stamp so an
    /// enumerator that was started before the change throws on its next step instead of reading freed payloads.
    /// </summary>
    private void BeginChange()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_readOnly)
        {
            throw new InvalidOperationException("This bitmap is a read-only view over a serialized buffer; Clone() it to change it.");
        }
        _version++;
    }

    /// <summary>Every read starts here: a disposed bitmap throws instead of reading as empty.</summary>
    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);

    /// <summary>The check for the two operands of a pairwise operation.</summary>
    private void ThrowIfDisposed(Bitmap other)
    {
        ArgumentNullException.ThrowIfNull(other);
        ObjectDisposedException.ThrowIf(_disposed, this);
        ObjectDisposedException.ThrowIf(other._disposed, other);
    }

    private void ThrowIfEmpty()
    {
        if (_size == 0)
        {
            throw new InvalidOperationException("The bitmap is empty.");
        }
    }

    private void Grow(int needed)
    {
        var capacity = Math.Max(needed, Math.Max(4, _keys.Length * 2));
        Array.Resize(ref _keys, capacity);
        Array.Resize(ref _containers, capacity);
    }

    private void InsertContainer(int index, ushort key, Container container)
    {
        if (_size == _keys.Length)
        {
            Grow(_size + 1);
        }
        if (index < _size)
        {
            Array.Copy(_keys, index, _keys, index + 1, _size - index);
            Array.Copy(_containers, index, _containers, index + 1, _size - index);
        }
        _keys[index] = key;
        _containers[index] = container;
        _size++;
        _count += container.Cardinality;
    }

    /// <summary>Frees container <paramref name="index"/> and puts <paramref name="result"/> (owned) in its place, or removes the key when it is empty.</summary>
    private void ReplaceContainerAt(int index, Container result)
    {
        ref var existing = ref _containers[index];
        _count += result.Cardinality - existing.Cardinality;
        existing.Free();
        if (result.Cardinality == 0)
        {
            RemoveContainerAt(index);
        }
        else
        {
            existing = result;
        }
    }

    private void RemoveContainerAt(int index)
    {
        _size--;
        if (index < _size)
        {
            Array.Copy(_keys, index + 1, _keys, index, _size - index);
            Array.Copy(_containers, index + 1, _containers, index, _size - index);
        }
        _containers[_size] = default;
    }

    private static bool AddLow(ref Container c, ushort low)
    {
        switch (c.Kind)
        {
            case ContainerKind.Array:
                {
                    var at = ArrayContainer.IndexOf(c.Values, c.Length, low);
                    if (at >= 0)
                    {
                        return false;
                    }
                    at = ~at;
                    if (c.Length == ContainerAlgebra.ArrayMax)
                    {
                        var bits = Container.NewBitset(clear: true);
                        BitsetContainer.SetValues(bits.Words, c.Values, c.Length);
                        bits.Words[low >> 6] |= 1UL << low;
                        bits.Cardinality = c.Cardinality + 1;
                        c.Free();
                        c = bits;
                        return true;
                    }
                    if (2 * (c.Length + 1) > c.CapacityBytes)
                    {
                        var grown = Container.NewArray(Math.Min(ContainerAlgebra.ArrayMax, Math.Max(c.Length + 1, c.Length + (c.Length >> 1))));
                        Buffer.MemoryCopy(c.Values, grown.Values, 2L * at, 2L * at);
                        Buffer.MemoryCopy(c.Values + at, grown.Values + at + 1, 2L * (c.Length - at), 2L * (c.Length - at));
                        grown.Length = c.Length;
                        grown.Cardinality = c.Cardinality;
                        c.Free();
                        c = grown;
                    }
                    else
                    {
                        Buffer.MemoryCopy(c.Values + at, c.Values + at + 1, 2L * (c.Length - at), 2L * (c.Length - at));
                    }
                    c.Values[at] = low;
                    c.Length++;
                    c.Cardinality++;
                    return true;
                }
            case ContainerKind.Bitset:
                {
                    ref var word = ref c.Words[low >> 6];
                    var bit = 1UL << low;
                    if ((word & bit) != 0)
                    {
                        return false;
                    }
                    word |= bit;
                    c.Cardinality++;
                    return true;
                }
            default:
                if (RunContainer.Contains(c.Runs, c.Length, low))
                {
                    return false;
                }
                ContainerAlgebra.ConvertRunToPlain(ref c);
                return AddLow(ref c, low);
        }
    }

    /// <summary>A new owned container from a sorted chunk of values that share one key (duplicates allowed).</summary>
    private static Container BuildSorted(uint* values, int n)
    {
        if (n <= ContainerAlgebra.ArrayMax)
        {
            var c = Container.NewArray(n);
            var k = 0;
            var last = -1;
            for (var i = 0; i < n; i++)
            {
                var v = (ushort)values[i];
                c.Values[k] = v;
                k += v != last ? 1 : 0;
                last = v;
            }
            c.Length = c.Cardinality = k;
            return c;
        }
        var bits = Container.NewBitset(clear: true);
        for (var i = 0; i < n; i++)
        {
            var v = (ushort)values[i];
            bits.Words[v >> 6] |= 1UL << v;
        }
        bits.Cardinality = BitsetContainer.Cardinality(bits.Words);
        ContainerAlgebra.Normalize(ref bits, considerRuns: false);
        return bits;
    }

    private static bool IsSorted(ReadOnlySpan<uint> values)
    {
        for (var i = 1; i < values.Length; i++)
        {
            if (values[i] < values[i - 1])
            {
                return false;
            }
        }
        return true;
    }

    private enum RangeChange
    {
        Add,
        Remove,
        Flip,
    }

    private void ChangeRange(long start, long end, RangeChange change)
    {
        BeginChange();
        CheckRange(start, end);
        if (start == end)
        {
            return;
        }
        var firstKey = (int)(start >> 16);
        var lastKey = (int)((end - 1) >> 16);
        ushort* pair = stackalloc ushort[2];
        for (var key = firstKey; key <= lastKey; key++)
        {
            var lo = key == firstKey ? (int)(start & 0xFFFF) : 0;
            var hi = key == lastKey ? (int)((end - 1) & 0xFFFF) + 1 : 65536;
            var at = IndexOfKey((ushort)key);
            if (at < 0)
            {
                if (change != RangeChange.Remove)
                {
                    InsertContainer(~at, (ushort)key, ContainerAlgebra.NewRange(lo, hi));
                }
                continue;
            }
            pair[0] = (ushort)lo;
            pair[1] = (ushort)(hi - lo - 1);
            var range = new Container { Data = pair, Kind = ContainerKind.Run, Length = 1, Cardinality = hi - lo };
            ref readonly var existing = ref _containers[at];
            ReplaceContainerAt(at, change switch
            {
                RangeChange.Add => ContainerAlgebra.Or(existing, range),
                RangeChange.Remove => ContainerAlgebra.AndNot(existing, range),
                _ => ContainerAlgebra.Xor(existing, range),
            });
        }
    }

    private static void CheckRange(long start, long end)
    {
        if (start < 0 || end > 1L << 32 || start > end)
        {
            throw new ArgumentOutOfRangeException(nameof(start), $"The range [{start}, {end}) is not within [0, 2^32] with start <= end.");
        }
    }

    /// <summary>Releases the pinned buffer a view borrows from (called by <see cref="Release"/>).</summary>
    private void SetPin(MemoryHandle pin) => _pin = pin;
}
