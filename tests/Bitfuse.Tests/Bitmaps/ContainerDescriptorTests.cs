using System.Runtime.CompilerServices;
using Bitfuse.Bitmaps;
using CsCheck;

namespace Bitfuse.Tests.Bitmaps;

/// <summary>The packed 16-byte container descriptor: every field reads back what was written, independently of the others.</summary>
public sealed class ContainerDescriptorTests
{
    [Fact]
    public void A_descriptor_takes_sixteen_bytes() => Assert.Equal(16, Unsafe.SizeOf<Container>());

    [Fact]
    public void Fields_round_trip_without_disturbing_each_other()
    {
        var kinds = Gen.OneOfConst(ContainerKind.Array, ContainerKind.Bitset, ContainerKind.Run);
        Gen.Select(Gen.Int[0, 65536], Gen.Int[0, 32768], Gen.Int[0, 65535], kinds, Gen.Bool, Gen.Select(Gen.Int[0, 65536], Gen.Int[0, 32768]))
            .Sample((cardinality, length, eighths, kind, owned, second) =>
            {
                var c = new Container { Cardinality = cardinality, Length = length, CapacityBytes = eighths * 8, Kind = kind, Owned = owned };
                Assert.Equal((cardinality, length, eighths * 8, kind, owned), (c.Cardinality, c.Length, c.CapacityBytes, c.Kind, c.Owned));

                // Changing one field leaves the others as they were.
                c.Cardinality = second.Item1;
                c.Length = second.Item2;
                c.Owned = !owned;
                Assert.Equal((second.Item1, second.Item2, eighths * 8, kind, !owned), (c.Cardinality, c.Length, c.CapacityBytes, c.Kind, c.Owned));
                c.Kind = ContainerKind.Run;
                Assert.Equal((second.Item1, ContainerKind.Run, !owned), (c.Cardinality, c.Kind, c.Owned));
            });
    }
}
