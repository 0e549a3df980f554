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
    public void Walk_visits_the_common_keys_once_ascending_and_stops_where_the_visitor_says()
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
                KeySearch.Walk(a, ref i, b, ref j, ref visitor);
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

    [Fact]
    public void Walk_hands_every_key_over_once_in_order_as_shared_or_one_sided_ranges()
    {
        Gen.Select(Gen.UShort[0, 400].Array[0, 200], Gen.UShort[0, 400].Array[0, 200])
            .Sample((rawA, rawB) =>
            {
                var a = rawA.Distinct().Order().ToArray();
                var b = rawB.Distinct().Order().ToArray();
                var expected = a.Union(b).Order()
                    .Select(k => (a.Contains(k) && b.Contains(k) ? 'S' : a.Contains(k) ? 'A' : 'B', k))
                    .ToArray();
                var visitor = new Labeller(a, b);
                var i = 0;
                var j = 0;
                KeySearch.Walk(a, ref i, b, ref j, ref visitor);
                // The tails are the caller's.
                visitor.FirstOnly(i, a.Length);
                visitor.SecondOnly(j, b.Length);
                Assert.Equal(expected, visitor.Keys.ToArray());
            });
    }

    // Records every key it is shown with where it came from: S shared, A only in a, B only in b.
    private readonly struct Labeller(ushort[] a, ushort[] b) : IKeyWalkVisitor
    {
        public readonly List<(char, ushort)> Keys = [];

        public bool Shared(int i, int j)
        {
            Assert.Equal(a[i], b[j]);
            Keys.Add(('S', a[i]));
            return true;
        }

        public bool FirstOnly(int from, int to)
        {
            for (var k = from; k < to; k++)
            {
                Keys.Add(('A', a[k]));
            }
            return true;
        }

        public bool SecondOnly(int from, int to)
        {
            for (var k = from; k < to; k++)
            {
                Keys.Add(('B', b[k]));
            }
            return true;
        }
    }

    // Records the keys it is shown (checking both sides agree) and stops on the (stopAfter + 1)-th.
    private struct Recorder(ushort[] a, ushort[] b, int stopAfter) : IKeyWalkVisitor
    {
        public readonly List<ushort> Keys = [];

        public readonly bool Shared(int i, int j)
        {
            Assert.Equal(a[i], b[j]);
            Keys.Add(a[i]);
            return Keys.Count <= stopAfter;
        }

        public readonly bool FirstOnly(int from, int to) => true;

        public readonly bool SecondOnly(int from, int to) => true;
    }
}
