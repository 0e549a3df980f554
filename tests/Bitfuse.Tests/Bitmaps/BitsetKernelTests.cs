using Bitfuse.Bitmaps;
using CsCheck;

namespace Bitfuse.Tests.Bitmaps;

/// <summary>
/// The bitset loops that serve several operations through one generic body (<see cref="IWordOperation"/> structs
/// for and, or, xor and and-not; writing or counting), each operation against a <see cref="HashSet{T}"/> model.
/// </summary>
public sealed unsafe class BitsetKernelTests
{
    // A random bitset of a random density (empty and full included) and its values.
    private static (ulong[] Words, HashSet<int> Values) RandomBitset(Random rng)
    {
        var density = rng.Next(6) switch { 0 => 0.0, 1 => 1.0, 2 => 0.0005, 3 => 0.05, _ => rng.NextDouble() };
        var words = new ulong[BitsetContainer.Words];
        var values = new HashSet<int>();
        for (var v = 0; v < 65536; v++)
        {
            if (rng.NextDouble() < density)
            {
                words[v >> 6] |= 1UL << v;
                values.Add(v);
            }
        }
        return (words, values);
    }

    private static HashSet<int> ValuesOf(ulong[] words)
    {
        var values = new HashSet<int>();
        for (var v = 0; v < 65536; v++)
        {
            if ((words[v >> 6] & (1UL << v)) != 0)
            {
                values.Add(v);
            }
        }
        return values;
    }

    [Fact]
    public void Every_word_operation_combines_counts_and_extracts_like_the_model()
    {
        Gen.Int[0, int.MaxValue].Sample(seed =>
        {
            var rng = new Random(seed);
            var (a, va) = RandomBitset(rng);
            var (b, vb) = RandomBitset(rng);
            Check<AndWords>(a, b, va.Intersect(vb));
            Check<OrWords>(a, b, va.Union(vb));
            Check<XorWords>(a, b, va.Except(vb).Union(vb.Except(va)));
            Check<AndNotWords>(a, b, va.Except(vb));
            Check<FirstWords>(a, b, va);
        }, iter: 60);

        static void Check<TOp>(ulong[] a, ulong[] b, IEnumerable<int> model)
            where TOp : struct, IWordOperation
        {
            var expected = model.Order().ToArray();
            var dst = new ulong[BitsetContainer.Words];
            var values = new ushort[65536];
            fixed (ulong* pa = a)
            fixed (ulong* pb = b)
            fixed (ulong* pd = dst)
            fixed (ushort* pv = values)
            {
                Assert.Equal(expected.Length, BitsetContainer.CombineCount<TOp>(pa, pb));
                Assert.Equal(expected.Length, BitsetContainer.Combine<TOp>(pa, pb, pd));
                Assert.Equal(expected, ValuesOf(dst).Order().ToArray());
                Assert.Equal(expected.Length, BitsetContainer.Cardinality(pd));
                var copy = new ulong[BitsetContainer.Words];
                fixed (ulong* pc = copy)
                {
                    Assert.Equal(expected.Length, BitsetContainer.CopyCount(pd, pc));
                }
                Assert.Equal(dst, copy);
                var n = BitsetContainer.ToArray<TOp>(pa, pb, pv, values.Length);
                Assert.Equal(expected, values[..n].Select(v => (int)v).ToArray());
            }
        }
    }

    [Fact]
    public void Range_and_value_changes_report_the_change_in_cardinality_and_leave_the_model()
    {
        Gen.Int[0, int.MaxValue].Sample(seed =>
        {
            var rng = new Random(seed);
            var (words, model) = RandomBitset(rng);
            var start = rng.Next(65537);
            var end = rng.Next(4) == 0 ? start + rng.Next(0, 70) : rng.Next(65537);
            end = Math.Min(end, 65536);
            var range = Enumerable.Range(start, Math.Max(0, end - start)).ToArray();
            var listed = Enumerable.Range(0, rng.Next(0, 300)).Select(_ => (ushort)rng.Next(65536)).Distinct().Order().ToArray();
            fixed (ulong* p = words)
            fixed (ushort* pl = listed)
            {
                Assert.Equal(range.Count(model.Contains), BitsetContainer.CountRange(p, start, end));
                switch (rng.Next(6))
                {
                    case 0:
                        Assert.Equal(range.Count(v => !model.Contains(v)), BitsetContainer.SetRange(p, start, end));
                        model.UnionWith(range);
                        break;
                    case 1:
                        Assert.Equal(range.Count(model.Contains), BitsetContainer.ClearRange(p, start, end));
                        model.ExceptWith(range);
                        break;
                    case 2:
                        Assert.Equal(range.Sum(v => model.Contains(v) ? -1 : 1), BitsetContainer.FlipRange(p, start, end));
                        model.SymmetricExceptWith(range);
                        break;
                    case 3:
                        Assert.Equal(listed.Count(v => !model.Contains(v)), BitsetContainer.ChangeValues<OrWords>(p, pl, listed.Length));
                        model.UnionWith(listed.Select(v => (int)v));
                        break;
                    case 4:
                        Assert.Equal(-listed.Count(v => model.Contains(v)), BitsetContainer.ChangeValues<AndNotWords>(p, pl, listed.Length));
                        model.ExceptWith(listed.Select(v => (int)v));
                        break;
                    default:
                        Assert.Equal(listed.Sum(v => model.Contains(v) ? -1 : 1), BitsetContainer.ChangeValues<XorWords>(p, pl, listed.Length));
                        model.SymmetricExceptWith(listed.Select(v => (int)v));
                        break;
                }
            }
            Assert.Equal(model.Order().ToArray(), ValuesOf(words).Order().ToArray());
        }, iter: 200);
    }
}
