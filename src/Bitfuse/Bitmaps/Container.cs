using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Bitfuse.Bitmaps;

/// <summary>
/// The descriptor of one Roaring container: where its payload is, what kind it is, how many values it holds
/// and whether it owns the payload.
/// Invariants: a live container is never empty (1 &lt;= Cardinality &lt;= 65536); an array holds
/// Length == Cardinality &lt;= 4096 strictly ascending values; a bitset has Length == 1024 words and
/// Cardinality &gt; 4096 except transiently inside an operation; a run holds Length &gt;= 1 sorted, disjoint,
/// non-adjacent pairs whose lengths add up to Cardinality. An owned payload came from
/// <see cref="ContainerMemory"/> with <see cref="CapacityBytes"/> bytes; a borrowed one is never freed here:
/// either it lies in a serialized buffer under a view (read-only, may be unaligned), or it is a slice of its
/// bitmap's <see cref="PayloadBlock"/> (that bitmap may change it in place within its length, never grow it).
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct Container
{
    /// <summary>The payload: <c>ushort*</c> for arrays and runs (pairs), <c>ulong*</c> for bitsets.</summary>
    public void* Data;

    // Cardinality (17 bits), Kind (2 bits) and Owned (1 bit) share one word, Length and CapacityBytes (in 8-byte
    // units) take 16 bits each, so a descriptor is 16 bytes: sparse bitmaps hold thousands of them.
    private const int CardinalityMask = 0x1FFFF;
    private const int KindShift = 17;
    private const int OwnedBit = 1 << 19;
    private int _cardinalityKindOwned;
    private ushort _length;
    private ushort _capacityEighths;

    /// <summary>Number of values, 1..65536.</summary>
    public int Cardinality
    {
        readonly get => _cardinalityKindOwned & CardinalityMask;
        set
        {
            Debug.Assert((uint)value <= 65536, "a container holds at most 65536 values");
            _cardinalityKindOwned = (_cardinalityKindOwned & ~CardinalityMask) | value;
        }
    }

    /// <summary>Array: values; run: pairs; bitset: 1024.</summary>
    public int Length
    {
        readonly get => _length;
        set
        {
            Debug.Assert((uint)value <= ushort.MaxValue, "an array holds at most 4096 values and a run list at most 32768 pairs");
            _length = (ushort)value;
        }
    }

    /// <summary>Bytes allocated for an owned payload; 0 when borrowed. Always a multiple of 8, at most 512 KiB.</summary>
    public int CapacityBytes
    {
        readonly get => _capacityEighths << 3;
        set
        {
            Debug.Assert((value & 7) == 0 && (uint)value <= ushort.MaxValue << 3, "payload capacities are multiples of 8 below 512 KiB");
            _capacityEighths = (ushort)(value >> 3);
        }
    }

    /// <summary>The payload layout.</summary>
    public ContainerKind Kind
    {
        readonly get => (ContainerKind)((_cardinalityKindOwned >> KindShift) & 3);
        set => _cardinalityKindOwned = (_cardinalityKindOwned & ~(3 << KindShift)) | ((int)value << KindShift);
    }

    /// <summary>True when <see cref="Data"/> belongs to this container and goes back to <see cref="ContainerMemory"/>.</summary>
    public bool Owned
    {
        readonly get => (_cardinalityKindOwned & OwnedBit) != 0;
        set => _cardinalityKindOwned = value ? _cardinalityKindOwned | OwnedBit : _cardinalityKindOwned & ~OwnedBit;
    }

    /// <summary>The array values (valid for arrays).</summary>
    public readonly ushort* Values => (ushort*)Data;

    /// <summary>The bitset words (valid for bitsets).</summary>
    public readonly ulong* Words => (ulong*)Data;

    /// <summary>The run pairs as interleaved (start, length - 1) (valid for runs).</summary>
    public readonly ushort* Runs => (ushort*)Data;

    /// <summary>True for a descriptor that holds nothing (the "no container" result of an operation).</summary>
    public readonly bool IsEmpty => Cardinality == 0;

    /// <summary>Bytes this container's payload takes in the portable format.</summary>
    public readonly int SerializedBytes => Kind switch
    {
        ContainerKind.Array => 2 * Length,
        ContainerKind.Bitset => 8192,
        _ => 2 + 4 * Length,
    };

    /// <summary>A new owned array container with room for <paramref name="capacity"/> values (Cardinality still 0).</summary>
    public static Container NewArray(int capacity)
    {
        var bytes = Math.Max(capacity, 1) * 2;
        var data = ContainerMemory.Alloc(ContainerKind.Array, bytes, out var granted);
        return new Container { Data = data, Kind = ContainerKind.Array, Owned = true, CapacityBytes = granted };
    }

    /// <summary>A new owned bitset container (8 KiB, 64-byte aligned), zeroed when <paramref name="clear"/>.</summary>
    public static Container NewBitset(bool clear)
    {
        var data = ContainerMemory.Alloc(ContainerKind.Bitset, 8192, out var granted);
        if (clear)
        {
            NativeMemory.Clear(data, 8192);
        }
        return new Container { Data = data, Kind = ContainerKind.Bitset, Owned = true, CapacityBytes = granted, Length = 1024 };
    }

    /// <summary>A new owned run container with room for <paramref name="capacity"/> runs (Cardinality still 0).</summary>
    public static Container NewRun(int capacity)
    {
        var bytes = Math.Max(capacity, 1) * 4;
        var data = ContainerMemory.Alloc(ContainerKind.Run, bytes, out var granted);
        return new Container { Data = data, Kind = ContainerKind.Run, Owned = true, CapacityBytes = granted };
    }

    /// <summary>
    /// A new owned array container holding a copy of the <paramref name="length"/> ascending values at
    /// <paramref name="values"/>, or an empty descriptor when there are none. For results built in a scratch buffer
    /// first: an empty one then costs no allocation, and a small one gets a payload of its own size.
    /// </summary>
    public static Container ArrayOf(ushort* values, int length)
    {
        if (length == 0)
        {
            return default;
        }
        var c = NewArray(length);
        Buffer.MemoryCopy(values, c.Data, 2L * length, 2L * length);
        c.Length = c.Cardinality = length;
        return c;
    }

    /// <summary>
    /// A new owned run container holding a copy of the <paramref name="length"/> runs at <paramref name="runs"/>
    /// (Cardinality still 0), or an empty descriptor when there are none; see <see cref="ArrayOf"/>.
    /// </summary>
    public static Container RunsOf(ushort* runs, int length)
    {
        if (length == 0)
        {
            return default;
        }
        var c = NewRun(length);
        Buffer.MemoryCopy(runs, c.Data, 4L * length, 4L * length);
        c.Length = length;
        return c;
    }

    /// <summary>Returns an owned payload to <see cref="ContainerMemory"/> and empties the descriptor.</summary>
    public void Free()
    {
        if (Owned && Data != null)
        {
            ContainerMemory.Free(Kind, Data, CapacityBytes);
        }
        this = default;
    }

    /// <summary>True when the low half <paramref name="value"/> is in the container.</summary>
    public readonly bool Contains(ushort value) => Kind switch
    {
        ContainerKind.Array => ArrayContainer.IndexOf(Values, Length, value) >= 0,
        ContainerKind.Bitset => (Words[value >> 6] & (1UL << value)) != 0,
        _ => RunContainer.Contains(Runs, Length, value),
    };

    /// <summary>The smallest low half in the container.</summary>
    public readonly ushort Min => Kind switch
    {
        ContainerKind.Array => Values[0],
        ContainerKind.Bitset => BitsetContainer.Min(Words),
        _ => Runs[0],
    };

    /// <summary>The largest low half in the container.</summary>
    public readonly ushort Max => Kind switch
    {
        ContainerKind.Array => Values[Length - 1],
        ContainerKind.Bitset => BitsetContainer.Max(Words),
        _ => (ushort)(Runs[2 * Length - 2] + Runs[2 * Length - 1]),
    };

    /// <summary>How many values are &lt;= <paramref name="value"/>.</summary>
    public readonly int Rank(ushort value)
    {
        switch (Kind)
        {
            case ContainerKind.Array:
                var i = ArrayContainer.IndexOf(Values, Length, value);
                return i >= 0 ? i + 1 : ~i;
            case ContainerKind.Bitset:
                return BitsetContainer.Rank(Words, value);
            default:
                return RunContainer.Rank(Runs, Length, value);
        }
    }

    /// <summary>The smallest low half &gt;= <paramref name="value"/>, or -1.</summary>
    public readonly int NextValue(ushort value) => Kind switch
    {
        ContainerKind.Array => ArrayContainer.NextValue(Values, Length, value),
        ContainerKind.Bitset => BitsetContainer.NextBit(Words, value, absent: false),
        _ => RunContainer.NextValue(Runs, Length, value),
    };

    /// <summary>The largest low half &lt;= <paramref name="value"/>, or -1.</summary>
    public readonly int PreviousValue(ushort value) => Kind switch
    {
        ContainerKind.Array => ArrayContainer.PreviousValue(Values, Length, value),
        ContainerKind.Bitset => BitsetContainer.PreviousValue(Words, value),
        _ => RunContainer.PreviousValue(Runs, Length, value),
    };

    /// <summary>The smallest low half &gt;= <paramref name="value"/> not in the container; 65536 when every one from there up is present.</summary>
    public readonly int NextAbsent(ushort value) => Kind switch
    {
        ContainerKind.Array => ArrayContainer.NextAbsent(Values, Length, value),
        ContainerKind.Bitset => BitsetContainer.NextBit(Words, value, absent: true),
        _ => RunContainer.NextAbsent(Runs, Length, value),
    };

    /// <summary>How many low halves lie in [<paramref name="start"/>, <paramref name="end"/>), 0 &lt;= start &lt;= end &lt;= 65536.</summary>
    public readonly int CountRange(int start, int end) => Kind switch
    {
        ContainerKind.Array => ArrayContainer.LowerBound(Values, Length, end) - ArrayContainer.LowerBound(Values, Length, start),
        ContainerKind.Bitset => BitsetContainer.CountRange(Words, start, end),
        _ => RunContainer.CountRange(Runs, Length, start, end),
    };

    /// <summary>The value at zero-based <paramref name="index"/> (&lt; Cardinality).</summary>
    public readonly ushort Select(int index) => Kind switch
    {
        ContainerKind.Array => Values[index],
        ContainerKind.Bitset => BitsetContainer.Select(Words, index),
        _ => RunContainer.Select(Runs, Length, index),
    };

    /// <summary>Writes every value (low half) as <c>high | low</c> to <paramref name="destination"/>; returns how many.</summary>
    public readonly int CopyTo(uint high, uint* destination)
    {
        switch (Kind)
        {
            case ContainerKind.Array:
                ArrayContainer.Widen(Values, Length, high, destination);
                return Length;
            case ContainerKind.Bitset:
                return BitsetContainer.ExtractRange(Words, 0, 65536, high, destination, Cardinality);
            default:
                return RunContainer.Extract(Runs, Length, high, destination);
        }
    }

    /// <summary>
    /// Writes <c>high | v</c> for the low halves v in [<paramref name="from"/>, <paramref name="to"/>) (0 &lt;= from,
    /// to &lt;= 65536), ascending, at most <paramref name="capacity"/> of them; returns how many.
    /// </summary>
    public readonly int CopyRangeTo(int from, int to, uint high, uint* destination, int capacity)
    {
        switch (Kind)
        {
            case ContainerKind.Array:
                {
                    var first = ArrayContainer.LowerBound(Values, Length, from);
                    var n = Math.Min(ArrayContainer.LowerBound(Values, Length, to) - first, capacity);
                    if (n <= 0)
                    {
                        return 0;
                    }
                    ArrayContainer.Widen(Values + first, n, high, destination);
                    return n;
                }
            case ContainerKind.Bitset:
                return BitsetContainer.ExtractRange(Words, from, to, high, destination, capacity);
            default:
                return RunContainer.ExtractRange(Runs, Length, from, to, high, destination, capacity);
        }
    }

    /// <summary>Sets this container's values in an 8 KiB bitset buffer (which the caller cleared or wants ORed into).</summary>
    public readonly void OrInto(ulong* bitset)
    {
        switch (Kind)
        {
            case ContainerKind.Array:
                BitsetContainer.SetValues(bitset, Values, Length);
                break;
            case ContainerKind.Bitset:
                BitsetContainer.Or(bitset, Words, bitset);
                break;
            default:
                for (var r = 0; r < Length; r++)
                {
                    BitsetContainer.SetRange(bitset, Runs[2 * r], Runs[2 * r] + Runs[2 * r + 1] + 1);
                }
                break;
        }
    }

    /// <summary>Writes this container as a full 8 KiB bitset into <paramref name="bitset"/> (overwriting it).</summary>
    public readonly void CopyToBitset(ulong* bitset)
    {
        if (Kind == ContainerKind.Bitset)
        {
            Buffer.MemoryCopy(Data, bitset, 8192, 8192);
            return;
        }
        NativeMemory.Clear(bitset, 8192);
        OrInto(bitset);
    }

    /// <summary>A new owned copy of this container (same kind, payload trimmed to its length).</summary>
    public readonly Container Clone()
    {
        Container copy;
        switch (Kind)
        {
            case ContainerKind.Array:
                copy = NewArray(Length);
                Buffer.MemoryCopy(Data, copy.Data, 2L * Length, 2L * Length);
                break;
            case ContainerKind.Bitset:
                copy = NewBitset(clear: false);
                Buffer.MemoryCopy(Data, copy.Data, 8192, 8192);
                break;
            default:
                copy = NewRun(Length);
                Buffer.MemoryCopy(Data, copy.Data, 4L * Length, 4L * Length);
                break;
        }
        copy.Cardinality = Cardinality;
        copy.Length = Length;
        return copy;
    }
}
