using CsCheck;
using Roaring.Net.CRoaring;

namespace Bitfuse.Tests.Bitmaps;

/// <summary>Our bytes read by CRoaring and CRoaring's bytes read by us, on random and on all real data.</summary>
public sealed class RoaringInteropTests
{
    [Fact]
    public void Random_bitmaps_cross_both_ways_and_match_bytes_after_optimize()
    {
        Gen.Int[0, int.MaxValue].Sample(seed =>
        {
            var (ours, model) = BitmapModel.Random(new Random(seed), keys: 6);
            using (ours)
            {
                AssertInterop(ours, model.ToArray());
            }
        }, iter: 40);
    }

    [Theory]
    [MemberData(nameof(RealDataNames))]
    public void Real_data_crosses_both_ways_and_matches_bytes_after_optimize(string dataSet)
    {
        var set = DataSets.Real(dataSet);
        Assert.Equal(200, set.Count);
        foreach (var (_, bitmap) in set)
        {
            using var ours = bitmap.Clone();
            AssertInterop(ours, ours.ToArray());
        }
    }

    public static TheoryData<string> RealDataNames() => new(DataSets.RealNames);

    private static void AssertInterop(Bitmap ours, uint[] values)
    {
        // Ours → bytes → CRoaring.
        var ourBytes = ours.Serialize();
        Assert.Equal(ours.SerializedSize(), ourBytes.Length);
        using (var theirs = Roaring32Bitmap.Deserialize(ourBytes, SerializationFormat.Portable))
        {
            Assert.Equal(values, theirs.ToArray());
        }

        // CRoaring → bytes → ours.
        using var native = Roaring32Bitmap.FromValues(values);
        var nativeBytes = native.Serialize(SerializationFormat.Portable);
        using (var back = Bitmap.Deserialize(nativeBytes))
        {
            BitmapModel.AssertValid(back);
            Assert.Equal(values, back.ToArray());
            Assert.Equal(nativeBytes, back.Serialize());
        }

        // Both optimized: the same container choices, so the same bytes, and each reads the other's.
        native.Optimize();
        ours.Optimize();
        var optimizedNative = native.Serialize(SerializationFormat.Portable);
        var optimizedOurs = ours.Serialize();
        Assert.Equal(optimizedNative, optimizedOurs);
        using (var back = Bitmap.Deserialize(optimizedNative))
        {
            BitmapModel.AssertValid(back);
            Assert.Equal(values, back.ToArray());
        }
    }
}
