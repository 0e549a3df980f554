using System.Runtime.InteropServices;

namespace Bitfuse.Bitmaps.MultiWay;

/// <summary>
/// One thread's scratch memory for the multi-way operations (<see cref="UnionExecution"/>, <see cref="IntersectExecution"/>, <see cref="SymmetricDifferenceExecution"/>): two value buffers of one array container
/// (plus the slack vector intersections write past the end), an 8 KiB bitset, room for the result's keys and
/// containers, cursors, and the per-key counters of the union's bucket sort (all zero between uses).
/// Kept per thread and reused, so a query allocates nothing here after the first; the native buffers are
/// freed when the thread's instance is collected.
/// </summary>
internal sealed unsafe class DirectScratch
{
    /// <summary>Values in one value buffer: a full array container plus the slack vector intersections and bit extraction write.</summary>
    public const int ValueCapacity = ContainerAlgebra.ArrayMax + 16;

    [ThreadStatic]
    private static DirectScratch? t_current;

    private DirectScratch()
    {
        Values = (ushort*)NativeMemory.AlignedAlloc(ValueCapacity * sizeof(ushort), 64);
        Spare = (ushort*)NativeMemory.AlignedAlloc(ValueCapacity * sizeof(ushort), 64);
        Bits = (ulong*)NativeMemory.AlignedAlloc(8192, 64);
    }

    ~DirectScratch()
    {
        NativeMemory.AlignedFree(Values);
        NativeMemory.AlignedFree(Spare);
        NativeMemory.AlignedFree(Bits);
    }

    /// <summary>This thread's scratch, made on first use.</summary>
    public static DirectScratch Current => t_current ??= new DirectScratch();

    /// <summary>A value buffer of <see cref="ValueCapacity"/> values.</summary>
    public ushort* Values { get; }

    /// <summary>A second value buffer: array-by-array intersections and differences write here, never in place.</summary>
    public ushort* Spare { get; }

    /// <summary>An 8 KiB bitset, 64-byte aligned.</summary>
    public ulong* Bits { get; }

    /// <summary>Result keys, parallel to <see cref="ResultContainers"/>.</summary>
    public ushort[] ResultKeys { get; private set; } = new ushort[64];

    /// <summary>Result containers (owned until handed to a bitmap).</summary>
    public Container[] ResultContainers { get; private set; } = new Container[64];

    /// <summary>Per-input cursors (container indices).</summary>
    public int[] Cursors { get; private set; } = new int[64];

    /// <summary>Input positions in the order they are probed.</summary>
    public int[] Order { get; private set; } = new int[64];

    /// <summary>For the union's bucket sort: a counter per key, zero between uses.</summary>
    public int[] KeyCounts { get; } = new int[65536];

    /// <summary>For the union's buckets: a copy of each input container's descriptor, grouped by key.</summary>
    public Container[] Entries { get; private set; } = new Container[256];

    /// <summary>
    /// Keys a per-key combiner (<see cref="IntersectExecution.Key"/>, <see cref="UnionExecution.Key"/>) answered
    /// in the scratch bitset rather than by merging values or runs; only ever increased, so a caller reads the
    /// path of one key as the change across its call.
    /// </summary>
    public long BitsetKeys;

    private int[] _positions = [];

    /// <summary>The positions 0 .. <paramref name="count"/> - 1 in order: every input of an aggregation over all its inputs.</summary>
    public ReadOnlySpan<int> Positions(int count)
    {
        if (_positions.Length < count)
        {
            _positions = new int[Math.Max(count, 2 * _positions.Length)];
            for (var i = 0; i < _positions.Length; i++)
            {
                _positions[i] = i;
            }
        }
        return _positions.AsSpan(0, count);
    }

    /// <summary>Makes <see cref="Cursors"/> and <see cref="Order"/> hold at least <paramref name="inputs"/> entries.</summary>
    public void EnsureInputs(int inputs)
    {
        if (Cursors.Length < inputs)
        {
            Cursors = new int[inputs];
            Order = new int[inputs];
        }
    }

    /// <summary>Makes the result arrays hold at least <paramref name="keys"/> entries.</summary>
    public void EnsureResults(int keys)
    {
        if (ResultKeys.Length < keys)
        {
            var size = Math.Max(keys, ResultKeys.Length * 2);
            ResultKeys = new ushort[size];
            ResultContainers = new Container[size];
        }
    }

    /// <summary>Makes the entry arrays hold at least <paramref name="entries"/> entries.</summary>
    public void EnsureEntries(int entries)
    {
        if (Entries.Length < entries)
        {
            Entries = new Container[Math.Max(entries, Entries.Length * 2)];
        }
    }

    /// <summary>Stages <paramref name="container"/> as the answer at <paramref name="key"/> (keys ascending), or frees it when empty.</summary>
    public void Stage(ref int staged, ushort key, Container container)
    {
        if (container.Cardinality == 0)
        {
            container.Free();
            return;
        }
        ResultKeys[staged] = key;
        ResultContainers[staged] = container;
        staged++;
    }

    /// <summary>
    /// When <paramref name="materialise"/>, a bitmap of the <paramref name="staged"/> results (keys ascending; the
    /// bitmap takes the containers, and <paramref name="staged"/> becomes 0, so a later <see cref="DropResults"/>
    /// frees nothing); otherwise null.
    /// </summary>
    public Bitmap? TakeResult(bool materialise, ref int staged)
    {
        if (!materialise)
        {
            return null;
        }
        var bitmap = Bitmap.FromContainers(ResultKeys.AsSpan(0, staged), ResultContainers.AsSpan(0, staged));
        ResultContainers.AsSpan(0, staged).Clear();
        staged = 0;
        return bitmap;
    }

    /// <summary>Frees the first <paramref name="count"/> staged results (after a failure part-way).</summary>
    public void DropResults(int count)
    {
        for (var i = 0; i < count; i++)
        {
            ResultContainers[i].Free();
        }
        ResultContainers.AsSpan(0, count).Clear();
    }
}
