namespace Bitfuse.Tests.Query.Execution;

/// <summary>
/// Long associative chains (<c>a0 ^ a1 ^ ... </c>, <c>a0 - a1 - ...</c>) against the <see cref="HashSet{T}"/> model:
/// the XOR of three or more inputs runs through the direct symmetric difference (each key's containers flipped into
/// one bitset), the and-not chain through the direct intersect; inputs mix arrays, bitsets and runs, hold keys the
/// others lack, and 1,024-input chains (the language's name limit) answer like short ones.
/// </summary>
public class LongChainTests
{
    [Theory]
    [InlineData(3)]
    [InlineData(16)]
    [InlineData(17)]
    [InlineData(40)]
    [InlineData(1024)]
    public void Xor_chain_matches_the_model(int inputs)
    {
        var random = new Random(inputs);
        var (sets, bitmaps, owned) = Build(random, inputs, firstLarge: false);
        try
        {
            var expected = new HashSet<uint>();
            foreach (var set in sets)
            {
                expected.SymmetricExceptWith(set);
            }
            var query = new QueryEngine().Compile(Chain(inputs, "^"));
            Check(query, bitmaps, expected);
        }
        finally
        {
            owned.ForEach(b => b.Dispose());
        }
    }

    [Theory]
    [InlineData(3)]
    [InlineData(40)]
    [InlineData(1024)]
    public void And_not_chain_matches_the_model(int inputs)
    {
        var random = new Random(1000 + inputs);
        var (sets, bitmaps, owned) = Build(random, inputs, firstLarge: true);
        try
        {
            var expected = new HashSet<uint>(sets[0]);
            for (var i = 1; i < sets.Length; i++)
            {
                expected.ExceptWith(sets[i]);
            }
            Assert.NotEmpty(expected);
            var query = new QueryEngine().Compile(Chain(inputs, "-"));
            Check(query, bitmaps, expected);
        }
        finally
        {
            owned.ForEach(b => b.Dispose());
        }
    }

    [Fact]
    public void Xor_of_many_inputs_takes_the_direct_symmetric_difference()
    {
        var random = new Random(7);
        var (sets, bitmaps, owned) = Build(random, 5, firstLarge: false);
        try
        {
            var explanation = new QueryEngine().Compile(Chain(5, "^")).Explain(bitmaps);
            Assert.StartsWith("direct symmetric difference", explanation.Path, StringComparison.Ordinal);
            var expected = new HashSet<uint>();
            foreach (var set in sets)
            {
                expected.SymmetricExceptWith(set);
            }
            Assert.Equal(expected.Count, explanation.Count);
        }
        finally
        {
            owned.ForEach(b => b.Dispose());
        }
    }

    private static void Check(CompiledQuery query, BitmapSet bitmaps, HashSet<uint> expected)
    {
        var sorted = expected.Order().ToArray();
        Assert.Equal(sorted.Length, query.Count(bitmaps));
        using var result = query.Evaluate(bitmaps);
        Assert.Equal(sorted, result.ToArray());
        using var rebuilt = Bitmap.FromValues(sorted);
        Assert.True(rebuilt.SetEquals(result));
        Assert.Equal(sorted.Length > 0, query.Any(bitmaps));
    }

    private static string Chain(int inputs, string op) => string.Join($" {op} ", Enumerable.Range(0, inputs).Select(i => $"a{i}"));

    // Inputs over keys 0..7: most keys hold a short array, some a dense bitset or a few runs, and an input skips a
    // key now and then. With firstLarge, a0 holds half of every key and only a1 and a2 may be dense, with the
    // other runs short, so an and-not chain keeps values to the end.
    private static (HashSet<uint>[] Sets, BitmapSet Bitmaps, List<Bitmap> Owned) Build(Random random, int inputs, bool firstLarge)
    {
        var sets = new HashSet<uint>[inputs];
        var bitmaps = new BitmapSet();
        var owned = new List<Bitmap>();
        for (var i = 0; i < inputs; i++)
        {
            var set = new HashSet<uint>();
            for (uint key = 0; key < 8; key++)
            {
                var high = key << 16;
                if (i == 0 && firstLarge)
                {
                    for (var v = 0; v < 65536; v += 2)
                    {
                        set.Add(high | (uint)v);
                    }
                    continue;
                }
                switch (random.Next(10))
                {
                    case 0:
                        break;
                    case 1 when !firstLarge || i < 3:
                        for (var v = 0; v < 65536; v++)
                        {
                            if (random.Next(3) == 0)
                            {
                                set.Add(high | (uint)v);
                            }
                        }
                        break;
                    case 2:
                        for (var r = random.Next(1, 4); r > 0; r--)
                        {
                            var start = random.Next(65536 - 3000);
                            var length = random.Next(1, firstLarge ? 64 : 3000);
                            for (var v = start; v < start + length; v++)
                            {
                                set.Add(high | (uint)v);
                            }
                        }
                        break;
                    default:
                        for (var n = random.Next(1, 40); n > 0; n--)
                        {
                            set.Add(high | (uint)random.Next(65536));
                        }
                        break;
                }
            }
            var bitmap = Bitmap.FromValues(set.ToArray());
            bitmap.Optimize();
            owned.Add(bitmap);
            bitmaps.Add($"a{i}", bitmap);
            sets[i] = set;
        }
        return (sets, bitmaps, owned);
    }
}
