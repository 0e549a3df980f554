using System.Globalization;
using System.Text;

namespace Bitfuse.Benchmarks.Compare;

/// <summary>
/// Generates data sets in the real-data format for machines without <c>../shared/datasets</c>: a sparse,
/// a dense and a clustered (run-friendly) set, each of 40 bitmaps, deterministic from a fixed seed.
/// </summary>
public static class SyntheticData
{
    /// <summary>Writes the generated data sets under <paramref name="root"/> (created if needed) and returns it.</summary>
    public static string Generate(string root)
    {
        var random = new Random(20261127);
        Write(Path.Combine(root, "synthetic-sparse"), 40, random, Sparse);
        Write(Path.Combine(root, "synthetic-dense"), 40, random, Dense);
        Write(Path.Combine(root, "synthetic-clustered"), 40, random, Clustered);
        return root;
    }

    private static void Write(string folder, int bitmaps, Random random, Func<Random, IEnumerable<uint>> values)
    {
        Directory.CreateDirectory(folder);
        for (var i = 0; i < bitmaps; i++)
        {
            var sorted = new SortedSet<uint>(values(random));
            var text = new StringBuilder();
            foreach (var v in sorted)
            {
                if (text.Length > 0)
                {
                    text.Append(',');
                }
                text.Append(v.ToString(CultureInfo.InvariantCulture));
            }
            File.WriteAllText(Path.Combine(folder, $"b{i}.txt"), text.ToString());
        }
    }

    // About 5,000 values spread over 4 million: array containers.
    private static IEnumerable<uint> Sparse(Random random)
    {
        for (var i = 0; i < 5000; i++)
        {
            yield return (uint)random.Next(0, 4_000_000);
        }
    }

    // About a third of 200,000: bitset containers.
    private static IEnumerable<uint> Dense(Random random)
    {
        for (uint v = 0; v < 200_000; v++)
        {
            if (random.Next(3) == 0)
            {
                yield return v;
            }
        }
    }

    // Runs of 1..200 values with gaps: run containers after Optimize.
    private static IEnumerable<uint> Clustered(Random random)
    {
        uint v = (uint)random.Next(0, 1000);
        while (v < 1_300_000)
        {
            var length = random.Next(1, 200);
            for (var k = 0; k < length; k++)
            {
                yield return v + (uint)k;
            }
            v += (uint)(length + random.Next(1, 5000));
        }
    }
}
