using Bitfuse.Bitmaps;
using CsCheck;

namespace Bitfuse.Tests.Bitmaps;

/// <summary>The galloping key search against a linear scan.</summary>
public sealed class KeySearchTests
{
    [Fact]
    public void Advance_finds_the_first_key_at_or_above_the_target_from_any_start()
    {
        Gen.Select(Gen.UShort.Array[0, 300], Gen.Int[0, 310], Gen.UShort)
            .Sample((raw, from, key) =>
            {
                var keys = raw.Distinct().Order().ToArray();
                var expected = from;
                while (expected < keys.Length && keys[expected] < key)
                {
                    expected++;
                }
                Assert.Equal(expected, KeySearch.Advance(keys, from, key));
            });
    }

    [Fact]
    public void Shared_visits_the_common_keys_once_ascending_and_stops_where_the_visitor_says()
    {
        Gen.Select(Gen.UShort[0, 400].Array[0, 200], Gen.UShort[0, 400].Array[0, 200], Gen.Int[0, 250])
            .Sample((rawA, rawB, stopAfter) =>
            {
                var a = rawA.Distinct().Order().ToArray();
                var b = rawB.Distinct().Order().ToArray();
                var common = a.Intersect(b).Order().ToArray();
                var visitor = new Recorder(a, b, stopAfter);
                var i = 0;
                var j = 0;
                KeySearch.Shared(a, ref i, b, ref j, ref visitor);
                var visited = Math.Min(common.Length, stopAfter + 1);
                Assert.Equal(common[..visited], visitor.Keys.ToArray());
                if (visited > stopAfter)
                {
                    // Stopped on a key: both cursors stay on it.
                    Assert.Equal(common[stopAfter], a[i]);
                    Assert.Equal(common[stopAfter], b[j]);
                }
                else
                {
                    Assert.True(i == a.Length || j == b.Length, "a finished walk ends one list");
                }
            });
    }

    // Records the keys it is shown (checking both sides agree) and stops on the (stopAfter + 1)-th.
    private struct Recorder(ushort[] a, ushort[] b, int stopAfter) : ISharedKeyVisitor
    {
        public readonly List<ushort> Keys = [];

        public readonly bool Visit(int i, int j)
        {
            Assert.Equal(a[i], b[j]);
            Keys.Add(a[i]);
            return Keys.Count <= stopAfter;
        }
    }
}
