using System.Runtime.CompilerServices;

namespace Bitfuse.Bitmaps.MultiWay;

/// <summary>
/// An XOR of three or more inputs without per-key plans or kernels: <see cref="KeyGroups"/> hands each key's
/// containers over as one group, so a chain of 1,000 inputs costs one pass over its containers and no kernel.
/// <list type="bullet">
/// <item>Per key: two containers take the pair algorithm (counting as
/// |a| + |b| - 2|a ∩ b|); more are flipped into one scratch bitset (bitsets with a vector XOR, runs by range,
/// arrays value by value), counted once, and emitted in the best plain kind.</item>
/// </list>
/// Invariants: inputs are only read; the answer is a subset of the inputs' union, so it needs no universe.
/// </summary>
internal static unsafe class SymmetricDifferenceExecution
{
    /// <summary>The number of values of the XOR; the answer itself in <paramref name="result"/> when <paramref name="materialise"/>.</summary>
    public static long Run(ReadOnlySpan<Bitmap> inputs, ReadOnlySpan<int> members, DirectScratch scratch, bool materialise, out Bitmap? result) =>
        KeyGroups.Run<Combiner>(inputs, members, scratch, materialise, out result);

    // The XOR of three or more containers of one key.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int Key(ReadOnlySpan<Container> group, DirectScratch scratch, bool materialise, out Container container)
    {
        container = default;
        // The first bitset is copied (else the scratch is cleared), the rest flip their values in.
        var bits = scratch.Bits;
        var firstBitset = -1;
        for (var e = 0; e < group.Length; e++)
        {
            if (group[e].Kind == ContainerKind.Bitset)
            {
                firstBitset = e;
                break;
            }
        }
        if (firstBitset >= 0)
        {
            Buffer.MemoryCopy(group[firstBitset].Words, bits, 8192, 8192);
        }
        else
        {
            new Span<ulong>(bits, 1024).Clear();
        }
        for (var e = 0; e < group.Length; e++)
        {
            ref readonly var c = ref group[e];
            if (e == firstBitset)
            {
                continue;
            }
            switch (c.Kind)
            {
                case ContainerKind.Bitset:
                    BitsetWords.XorInto(bits, c.Words);
                    break;
                case ContainerKind.Array:
                    ContainerAlgebra.FlipValues(bits, c.Values, c.Length);
                    break;
                default:
                    for (var r = 0; r < c.Length; r++)
                    {
                        int start = c.Runs[2 * r];
                        BitsetContainer.FlipRange(bits, start, start + c.Runs[2 * r + 1] + 1);
                    }
                    break;
            }
        }
        var cardinality = BitsetContainer.Cardinality(bits);
        if (materialise && cardinality > 0)
        {
            container = ContainerAlgebra.FromBitset(bits, cardinality);
        }
        return cardinality;
    }

    private readonly struct Combiner : IKeyGroupCombiner
    {
        public static int PairCount(in Container a, in Container b) =>
            a.Cardinality + b.Cardinality - 2 * ContainerAlgebra.AndCount(a, b);

        public static Container Pair(in Container a, in Container b) => ContainerAlgebra.Xor(a, b);

        public static int Key(ReadOnlySpan<Container> group, DirectScratch scratch, bool materialise, out Container container) =>
            SymmetricDifferenceExecution.Key(group, scratch, materialise, out container);
    }
}
