using Bitfuse.Bitmaps;

namespace Bitfuse.Tests.Bitmaps;

/// <summary>
/// The ways a pairwise result is built other than straight into its final payload: intersections built in a
/// stack buffer and copied (or dropped when empty), bitset results written at once because the operands' counts
/// predicted a dense result (and converted when they came out small), and deserialized bitmaps whose payloads
/// share one block. Each result is compared with a sorted-set model and checked against the container invariants.
/// </summary>
public sealed class MaterialisedResultTests
{
    /// <summary>Values of one key: every <paramref name="step"/>-th low half from <paramref name="offset"/>, or runs of <paramref name="run"/>.</summary>
    private static uint[] Spread(uint key, int offset, int step, int run = 1)
    {
        var values = new List<uint>();
        for (var start = offset; start < 65536; start += step)
        {
            for (var v = start; v < Math.Min(65536, start + run); v++)
            {
                values.Add(key << 16 | (uint)v);
            }
        }
        return [.. values];
    }

    private static (Bitmap Bitmap, SortedSet<uint> Model) Make(uint[] values, bool optimize)
    {
        var bitmap = Bitmap.FromValues(values);
        if (optimize)
        {
            bitmap.Optimize();
        }
        return (bitmap, new SortedSet<uint>(values));
    }

    public static TheoryData<int, int, int, bool> DisjointShapes() => new()
    {
        // step, run, second offset, optimize: arrays, arrays against bitsets, short run lists, long run lists
        // (more runs than the stack buffer holds) and arrays against runs, all sharing keys but no values.
        { 64, 1, 32, false },
        { 8, 1, 4, false },
        { 64, 8, 32, true },
        { 40, 20, 20, true },
        { 32, 1, 16, true },
    };

    [Theory]
    [MemberData(nameof(DisjointShapes))]
    public void Intersections_that_share_keys_but_no_values_are_empty_and_the_result_still_grows(int step, int run, int offset, bool optimize)
    {
        var (a, _) = Make([.. Spread(1, 0, step, run), .. Spread(3, 0, step, run)], optimize);
        var (b, _) = Make([.. Spread(1, offset, step, run), .. Spread(3, offset, step, run)], optimize);
        using (a)
        using (b)
        {
            Assert.Equal(0, a.AndCount(b));
            using var and = a.And(b);
            Assert.True(and.IsEmpty);
            Assert.Equal(0, and.ContainerCount);
            BitmapModel.AssertValid(and);

            // A result that allocated nothing is still a working bitmap.
            and.AddRange(5L << 16, (5L << 16) + 10);
            and.Add(7);
            BitmapModel.AssertSame(new SortedSet<uint>([7, .. Enumerable.Range(0, 10).Select(i => (uint)(5 << 16) + (uint)i)]), and);
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Intersections_of_every_kind_pair_match_the_model(bool optimize)
    {
        var rng = new Random(14);
        for (var round = 0; round < 40; round++)
        {
            var (a, ma) = BitmapModel.Random(rng, keys: 4, containers: 4);
            var (b, mb) = BitmapModel.Random(rng, keys: 4, containers: 4);
            using (a)
            using (b)
            {
                if (optimize)
                {
                    a.Optimize();
                    b.Optimize();
                }
                var and = new SortedSet<uint>(ma);
                and.IntersectWith(mb);
                using var r = a.And(b);
                BitmapModel.AssertSame(and, r);
                var andNot = new SortedSet<uint>(ma);
                andNot.ExceptWith(mb);
                using var d = a.AndNot(b);
                BitmapModel.AssertSame(andNot, d);
            }
        }
    }

    [Fact]
    public void Dense_bitsets_whose_xor_and_difference_come_out_small_become_arrays()
    {
        // Both operands hold ~39,000 values of one key, so their counts predict a dense result, but b differs from
        // a in only 40 values: the result is written as a bitset first and must be converted.
        var rng = new Random(7);
        var a = Enumerable.Range(0, 65536).Where(_ => rng.NextDouble() < 0.6).Select(v => (uint)v).ToArray();
        var flipped = new HashSet<uint>(Enumerable.Range(0, 40).Select(_ => (uint)rng.Next(65536)));
        var b = new SortedSet<uint>(a);
        b.SymmetricExceptWith(flipped);
        var (ours, ma) = Make(a, optimize: false);
        var (theirs, mb) = Make([.. b], optimize: false);
        using (ours)
        using (theirs)
        {
            Assert.Equal(1, ours.GetStatistics().BitsetContainers);
            Assert.Equal(1, theirs.GetStatistics().BitsetContainers);

            var xor = new SortedSet<uint>(ma);
            xor.SymmetricExceptWith(mb);
            using var x = ours.Xor(theirs);
            BitmapModel.AssertSame(xor, x);
            Assert.Equal(1, x.GetStatistics().ArrayContainers);

            var andNot = new SortedSet<uint>(ma);
            andNot.ExceptWith(mb);
            using var d = ours.AndNot(theirs);
            BitmapModel.AssertSame(andNot, d);
            Assert.Equal(0, d.GetStatistics().BitsetContainers);

            // The intersection is predicted dense and is dense.
            var and = new SortedSet<uint>(ma);
            and.IntersectWith(mb);
            using var i = ours.And(theirs);
            BitmapModel.AssertSame(and, i);
            Assert.Equal(1, i.GetStatistics().BitsetContainers);
        }
    }

    [Fact]
    public void Deserialized_bitmaps_change_in_place_in_their_bitsets_arrays_and_runs()
    {
        var values = new List<uint>();
        values.AddRange(Spread(0, 0, 3));          // bitset
        values.AddRange(Spread(2, 1, 1000));       // array
        values.AddRange(Spread(4, 0, 100, 30));    // runs after Optimize
        values.AddRange(Spread(9, 2, 2));          // bitset
        var (original, model) = Make([.. values], optimize: true);
        using (original)
        {
            var bytes = original.Serialize();
            using var copy = Bitmap.Deserialize(bytes);
            BitmapModel.AssertSame(model, copy);
            Assert.Equal(2, copy.GetStatistics().BitsetContainers);

            // Changes inside the bitsets, the packed array and the packed runs.
            foreach (var v in new uint[] { 0, 3, 6, 2 << 16 | 1, 4 << 16, 9 << 16 | 2 })
            {
                Assert.True(copy.Remove(v));
                model.Remove(v);
            }
            copy.AddRange(9L << 16, (9L << 16) + 50);
            for (var v = 9u << 16; v < (9u << 16) + 50; v++)
            {
                model.Add(v);
            }
            copy.RemoveRange(0, 60000);
            model.RemoveWhere(v => v < 60000);
            BitmapModel.AssertSame(model, copy);
        }
    }

    [Fact]
    public void A_bitset_whose_count_disagrees_with_its_header_is_rejected_after_another_bitset_was_read()
    {
        var values = Spread(0, 0, 3).Concat(Spread(1, 0, 5)).ToArray();
        using var original = Bitmap.FromValues(values);
        var bytes = original.Serialize();
        // Cookie 12346 and count (8 bytes), two descriptors and two offsets (16 bytes), then the first bitset:
        // clearing a set bit in the second one makes its count one less than its header says.
        var secondBitset = 8 + 16 + 8192;
        Assert.Equal(0x21, bytes[secondBitset]); // values 0 and 5 of key 1
        bytes[secondBitset] = 0x20;
        var error = Assert.Throws<InvalidDataException>(() => Bitmap.Deserialize(bytes));
        Assert.Contains(FormattableString.Invariant($"byte offset {secondBitset}:"), error.Message, StringComparison.Ordinal);
        Assert.Contains("bitset container 1", error.Message, StringComparison.Ordinal);
    }
}
