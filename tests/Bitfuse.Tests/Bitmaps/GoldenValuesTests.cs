namespace Bitfuse.Tests.Bitmaps;

/// <summary>The golden values of the data-set README, computed with our operations (materialised and counted).</summary>
public sealed class GoldenValuesTests
{
    public static TheoryData<string, long, uint, long, long, long, long, long> Golden() => new()
    {
        { "census1881", 1003861, 4277805, 23, 2007688, 2007665, 1003833, 988653 },
        { "census1881_srt", 680793, 4277734, 137, 1361445, 1361308, 680653, 656346 },
        { "census-income", 6922021, 199522, 1206089, 12536707, 11330618, 5715898, 199523 },
        { "uscensus2000", 5985, 36974577, 0, 11968, 11968, 5984, 5985 },
        { "wikileaks-noquotes", 275355, 1353178, 180, 545366, 545186, 275078, 242540 },
        { "wikileaks-noquotes_srt", 288013, 1353132, 148, 571589, 571441, 284030, 236436 },
    };

    [Theory]
    [MemberData(nameof(Golden))]
    public void Data_set_matches_its_golden_values(string name, long total, uint max, long and, long or, long xor, long andNot, long unionAll)
    {
        var set = DataSets.Real(name);
        var bitmaps = set.Values.ToArray();
        Assert.Equal(200, bitmaps.Length);
        Assert.Equal(total, bitmaps.Sum(b => b.Count));
        Assert.Equal(max, bitmaps.Where(b => !b.IsEmpty).Max(b => b.Max));

        foreach (var optimized in new[] { false, true })
        {
            var list = optimized ? bitmaps.Select(b => { var c = b.Clone(); c.Optimize(); return c; }).ToArray() : bitmaps;
            long sAnd = 0, sOr = 0, sXor = 0, sAndNot = 0, cAnd = 0, cOr = 0, cXor = 0, cAndNot = 0;
            for (var i = 0; i + 1 < list.Length; i++)
            {
                var a = list[i];
                var b = list[i + 1];
                using (var r = a.And(b))
                {
                    sAnd += r.Count;
                }
                using (var r = a.Or(b))
                {
                    sOr += r.Count;
                }
                using (var r = a.Xor(b))
                {
                    sXor += r.Count;
                }
                using (var r = a.AndNot(b))
                {
                    sAndNot += r.Count;
                }
                cAnd += a.AndCount(b);
                cOr += a.OrCount(b);
                cXor += a.XorCount(b);
                cAndNot += a.AndNotCount(b);
            }
            Assert.Equal((and, or, xor, andNot), (sAnd, sOr, sXor, sAndNot));
            Assert.Equal((and, or, xor, andNot), (cAnd, cOr, cXor, cAndNot));

            using var all = new Bitmap();
            foreach (var b in list)
            {
                all.OrInPlace(b);
            }
            Assert.Equal(unionAll, all.Count);
            BitmapModel.AssertValid(all);
            if (optimized)
            {
                foreach (var b in list)
                {
                    b.Dispose();
                }
            }
        }
    }
}
