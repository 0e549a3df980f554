using System.Buffers.Binary;
using System.Globalization;

namespace Bitfuse.Tests.Bitmaps;

/// <summary>
/// Mutates valid serialized bitmaps (truncations, bit flips, lying counts, cardinalities, keys and offsets,
/// appended garbage) and checks that every input yields either a bitmap satisfying every invariant or an
/// <see cref="InvalidDataException"/> naming an offset inside the input — never another exception, a crash
/// or a hang. 100,000 inputs by default; set BITFUSE_FUZZ_INPUTS for a longer run.
/// </summary>
public sealed class MutationFuzzTests
{
    private static readonly int Inputs = int.TryParse(Environment.GetEnvironmentVariable("BITFUSE_FUZZ_INPUTS"), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 100_000;

    [Fact]
    public void Mutated_32_bit_inputs_are_valid_bitmaps_or_clean_rejections()
    {
        var seeds = Seeds32();
        var rng = new Random(20261127);
        int accepted = 0, rejected = 0;
        for (var i = 0; i < Inputs; i++)
        {
            var input = Mutate(seeds[rng.Next(seeds.Count)], rng);
            var view = (i & 15) == 0;
            try
            {
                using var bitmap = view ? Bitmap.CreateView(input) : Bitmap.Deserialize(input);
                BitmapModel.AssertValid(bitmap);
                accepted++;
            }
            catch (InvalidDataException e)
            {
                var offset = Assert.IsType<long>(e.Data["Offset"]);
                Assert.InRange(offset, 0, input.Length);
                rejected++;
            }
        }
        Assert.Equal(Inputs, accepted + rejected);
        // The mutations must exercise both outcomes.
        Assert.True(accepted > Inputs / 100, $"only {accepted} accepted");
        Assert.True(rejected > Inputs / 2, $"only {rejected} rejected");
    }

    [Fact]
    public void Mutated_64_bit_inputs_are_valid_sets_or_clean_rejections()
    {
        var seeds = new List<byte[]>
        {
            File.ReadAllBytes(DataSets.FormatFile("portable_bitmap64.bin")),
            File.ReadAllBytes(DataSets.FormatFile("64/64mapspreadvals.bin")),
            File.ReadAllBytes(DataSets.FormatFile("64/64maphighvals.bin")),
        };
        var rng = new Random(64);
        var inputs = Math.Max(2_000, Inputs / 20);
        for (var i = 0; i < inputs; i++)
        {
            var input = Mutate(seeds[rng.Next(seeds.Count)], rng);
            try
            {
                using var set = Bitmap64.Deserialize(input);
                var values = set.ToArray();
                Assert.Equal(set.Count, values.Length);
                for (var k = 1; k < values.Length; k++)
                {
                    Assert.True(values[k] > values[k - 1]);
                }
            }
            catch (InvalidDataException e)
            {
                Assert.InRange(Assert.IsType<long>(e.Data["Offset"]), 0, input.Length);
            }
        }
    }

    private static List<byte[]> Seeds32()
    {
        var seeds = new List<byte[]>
        {
            File.ReadAllBytes(DataSets.FormatFile("bitmapwithoutruns.bin")),
            File.ReadAllBytes(DataSets.FormatFile("bitmapwithruns.bin")),
        };
        var rng = new Random(7);
        for (var s = 0; s < 24; s++)
        {
            using var bitmap = new Bitmap();
            var containers = rng.Next(1, 7);
            for (var c = 0; c < containers; c++)
            {
                var key = (uint)rng.Next(0, 12) << 16;
                switch (rng.Next(3))
                {
                    case 0:
                        for (var k = rng.Next(1, 40); k > 0; k--)
                        {
                            bitmap.Add(key | (uint)rng.Next(65536));
                        }
                        break;
                    case 1:
                        for (var k = rng.Next(1, 6); k > 0; k--)
                        {
                            var start = key | (uint)rng.Next(65000);
                            bitmap.AddRange(start, start + rng.Next(1, 500));
                        }
                        break;
                    default:
                        for (var k = 0; k < 5000; k++)
                        {
                            bitmap.Add(key | (uint)rng.Next(65536));
                        }
                        break;
                }
            }
            if (s % 2 == 0)
            {
                bitmap.Optimize();
            }
            seeds.Add(bitmap.Serialize());
        }
        seeds.Add(new Bitmap().Serialize());
        return seeds;
    }

    private static readonly int[] Interesting = [0, 1, 2, 3, 4, 0x7F, 0x80, 0xFF, 0x1000, 0x1001, 0x2000, 0x7FFF, 0x8000, 0xFFFE, 0xFFFF];

    /// <summary>One random mutation of <paramref name="seed"/>.</summary>
    private static byte[] Mutate(byte[] seed, Random rng)
    {
        var headerEnd = Math.Min(seed.Length, 8 + 12 * 16);
        switch (rng.Next(8))
        {
            case 0:
                return seed[..rng.Next(seed.Length)];
            case 1:
                {
                    var copy = (byte[])seed.Clone();
                    for (var k = rng.Next(1, 5); k > 0; k--)
                    {
                        var at = rng.Next(copy.Length);
                        copy[at] ^= (byte)(1 << rng.Next(8));
                    }
                    return copy;
                }
            case 2:
                {
                    // A lying u16 in the header: key, cardinality, run count or cookie half.
                    var copy = (byte[])seed.Clone();
                    if (headerEnd >= 2)
                    {
                        var at = rng.Next(headerEnd - 1);
                        var value = rng.Next(2) == 0 ? Interesting[rng.Next(Interesting.Length)] : rng.Next(65536);
                        BinaryPrimitives.WriteUInt16LittleEndian(copy.AsSpan(at), (ushort)value);
                    }
                    return copy;
                }
            case 3:
                {
                    // A lying u32: container count or an offset nudged or replaced.
                    var copy = (byte[])seed.Clone();
                    if (headerEnd >= 4)
                    {
                        var at = rng.Next(headerEnd - 3) & ~3;
                        var old = BinaryPrimitives.ReadUInt32LittleEndian(copy.AsSpan(at));
                        uint value = rng.Next(4) switch
                        {
                            0 => old + (uint)rng.Next(-4, 5),
                            1 => uint.MaxValue - (uint)rng.Next(4),
                            2 => (uint)rng.Next(0, 70000),
                            _ => (uint)rng.Next(),
                        };
                        BinaryPrimitives.WriteUInt32LittleEndian(copy.AsSpan(at), value);
                    }
                    return copy;
                }
            case 4:
                {
                    var copy = (byte[])seed.Clone();
                    for (var k = rng.Next(1, 9); k > 0; k--)
                    {
                        copy[rng.Next(copy.Length)] = (byte)rng.Next(256);
                    }
                    return copy;
                }
            case 5:
                {
                    var extra = new byte[rng.Next(1, 64)];
                    rng.NextBytes(extra);
                    return [.. seed, .. extra];
                }
            case 6:
                {
                    // A lying payload value somewhere after the header (array order, run bounds).
                    var copy = (byte[])seed.Clone();
                    if (copy.Length > headerEnd + 2)
                    {
                        var at = rng.Next(headerEnd, copy.Length - 1);
                        BinaryPrimitives.WriteUInt16LittleEndian(copy.AsSpan(at), (ushort)Interesting[rng.Next(Interesting.Length)]);
                    }
                    return copy;
                }
            default:
                {
                    // Cut out a slice from the middle.
                    if (seed.Length < 4)
                    {
                        return seed[..0];
                    }
                    var from = rng.Next(seed.Length - 1);
                    var to = Math.Min(seed.Length, from + rng.Next(1, 64));
                    return [.. seed.AsSpan(0, from), .. seed.AsSpan(to)];
                }
        }
    }
}
