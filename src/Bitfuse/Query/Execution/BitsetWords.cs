using System.Runtime.Intrinsics;

namespace Bitfuse.Query.Execution;

/// <summary>Bitset loops the executor needs beyond the container algebra: OR without counting, and setting listed values.</summary>
internal static unsafe class BitsetWords
{
    /// <summary>ORs the 1024 words of <paramref name="source"/> into <paramref name="destination"/>, counting nothing.</summary>
    public static void OrInto(ulong* destination, ulong* source)
    {
        if (Vector256.IsHardwareAccelerated)
        {
            for (var i = 0; i < 1024; i += 8)
            {
                (Vector256.Load(destination + i) | Vector256.Load(source + i)).Store(destination + i);
                (Vector256.Load(destination + i + 4) | Vector256.Load(source + i + 4)).Store(destination + i + 4);
            }
            return;
        }
        for (var i = 0; i < 1024; i += 4)
        {
            (Vector128.Load(destination + i) | Vector128.Load(source + i)).Store(destination + i);
            (Vector128.Load(destination + i + 2) | Vector128.Load(source + i + 2)).Store(destination + i + 2);
        }
    }

    /// <summary>Sets every listed value in an 8 KiB bitset, four values per step (independent stores), counting nothing.</summary>
    public static void SetValues(ulong* bits, ushort* values, int n)
    {
        var i = 0;
        for (; i + 4 <= n; i += 4)
        {
            uint v0 = values[i], v1 = values[i + 1], v2 = values[i + 2], v3 = values[i + 3];
            bits[v0 >> 6] |= 1UL << (int)v0;
            bits[v1 >> 6] |= 1UL << (int)v1;
            bits[v2 >> 6] |= 1UL << (int)v2;
            bits[v3 >> 6] |= 1UL << (int)v3;
        }
        for (; i < n; i++)
        {
            uint v = values[i];
            bits[v >> 6] |= 1UL << (int)v;
        }
    }
}
