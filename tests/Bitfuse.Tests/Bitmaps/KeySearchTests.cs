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
}
