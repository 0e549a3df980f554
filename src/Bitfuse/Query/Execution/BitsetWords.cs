using System.Runtime.Intrinsics;

namespace Bitfuse.Query.Execution;

/// <summary>Whole-bitset word loops the executor needs beyond the container algebra: OR without counting.</summary>
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
}
