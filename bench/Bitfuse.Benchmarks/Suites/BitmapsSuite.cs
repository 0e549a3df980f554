using Bitfuse.Benchmarks.Compare;
using Roaring.Net.CRoaring;

namespace Bitfuse.Benchmarks.Suites;

/// <summary>
/// <c>compare bitmaps</c>: Bitfuse bitmaps against CRoaring (the Roaring.Net package) on each real data set, the
/// way CRoaring's own real-data benchmark works: the successive pairs (B0,B1), (B1,B2), ... for the pairwise
/// operations (materialised and counted), random membership probes, iteration summing every value, portable
/// serialization both ways, and memory per value. Both sides hold the same bitmaps, run-optimized.
/// Times are per pair (operations), per probe (contains), per value (iterate) and per bitmap (serialize,
/// deserialize).
/// </summary>
public sealed class BitmapsSuite : ICompareSuite
{
    /// <summary>Bytes CRoaring spends per container beyond its payload: key (2), container pointer (8) and
    /// typecode (1) in its roaring_array, plus the 16-byte container struct.</summary>
    public const int CRoaringContainerOverhead = 27;

    /// <inheritdoc />
    public string Name => "bitmaps";

    /// <inheritdoc />
    public string Description => "Roaring operations on the real data sets vs CRoaring: and/or/xor/andnot, counts, contains, iterate, serialize, deserialize, bytes per value";

    /// <inheritdoc />
    public void Run(CompareContext context)
    {
        foreach (var dataSet in context.DataSetDirectories())
        {
            RunDataSet(context, dataSet);
        }
    }

    private static void RunDataSet(CompareContext context, string directory)
    {
        var name = Path.GetFileName(directory);
        var values = RealData.LoadValues(directory);
        var ours = values.Select(v => Bitmap.FromValues(v)).ToArray();
        var theirs = values.Select(v => Roaring32Bitmap.FromValues(v)).ToArray();
        try
        {
            foreach (var b in ours)
            {
                b.Optimize();
            }
            foreach (var b in theirs)
            {
                b.Optimize();
            }
            var pairs = ours.Length - 1;
            const string Croaring = "croaring";

            context.Measure($"{name}-and", () =>
            {
                for (var i = 0; i < pairs; i++)
                {
                    ours[i].And(ours[i + 1]).Dispose();
                }
            }, Croaring, () =>
            {
                for (var i = 0; i < pairs; i++)
                {
                    theirs[i].And(theirs[i + 1]).Dispose();
                }
            }, pairs);
            context.Measure($"{name}-or", () =>
            {
                for (var i = 0; i < pairs; i++)
                {
                    ours[i].Or(ours[i + 1]).Dispose();
                }
            }, Croaring, () =>
            {
                for (var i = 0; i < pairs; i++)
                {
                    theirs[i].Or(theirs[i + 1]).Dispose();
                }
            }, pairs);
            context.Measure($"{name}-xor", () =>
            {
                for (var i = 0; i < pairs; i++)
                {
                    ours[i].Xor(ours[i + 1]).Dispose();
                }
            }, Croaring, () =>
            {
                for (var i = 0; i < pairs; i++)
                {
                    theirs[i].Xor(theirs[i + 1]).Dispose();
                }
            }, pairs);
            context.Measure($"{name}-andnot", () =>
            {
                for (var i = 0; i < pairs; i++)
                {
                    ours[i].AndNot(ours[i + 1]).Dispose();
                }
            }, Croaring, () =>
            {
                for (var i = 0; i < pairs; i++)
                {
                    theirs[i].AndNot(theirs[i + 1]).Dispose();
                }
            }, pairs);

            long sink = 0;
            ulong nativeSink = 0;
            context.Measure($"{name}-and-count", () =>
            {
                for (var i = 0; i < pairs; i++)
                {
                    sink += ours[i].AndCount(ours[i + 1]);
                }
            }, Croaring, () =>
            {
                for (var i = 0; i < pairs; i++)
                {
                    nativeSink += theirs[i].AndCount(theirs[i + 1]);
                }
            }, pairs);
            context.Measure($"{name}-or-count", () =>
            {
                for (var i = 0; i < pairs; i++)
                {
                    sink += ours[i].OrCount(ours[i + 1]);
                }
            }, Croaring, () =>
            {
                for (var i = 0; i < pairs; i++)
                {
                    nativeSink += theirs[i].OrCount(theirs[i + 1]);
                }
            }, pairs);
            context.Measure($"{name}-xor-count", () =>
            {
                for (var i = 0; i < pairs; i++)
                {
                    sink += ours[i].XorCount(ours[i + 1]);
                }
            }, Croaring, () =>
            {
                for (var i = 0; i < pairs; i++)
                {
                    nativeSink += theirs[i].XorCount(theirs[i + 1]);
                }
            }, pairs);
            context.Measure($"{name}-andnot-count", () =>
            {
                for (var i = 0; i < pairs; i++)
                {
                    sink += ours[i].AndNotCount(ours[i + 1]);
                }
            }, Croaring, () =>
            {
                for (var i = 0; i < pairs; i++)
                {
                    nativeSink += theirs[i].AndNotCount(theirs[i + 1]);
                }
            }, pairs);

            // Membership: the same random probes (half hits) against every bitmap.
            var rng = new Random(1234);
            var probesPerBitmap = context.Quick ? 64 : 256;
            var probes = new uint[ours.Length][];
            for (var i = 0; i < ours.Length; i++)
            {
                probes[i] = new uint[probesPerBitmap];
                var source = values[i];
                var max = source.Length == 0 ? 1u : source[^1];
                for (var k = 0; k < probesPerBitmap; k++)
                {
                    probes[i][k] = source.Length > 0 && (k & 1) == 0 ? source[rng.Next(source.Length)] : (uint)rng.NextInt64(0, (long)max + 1);
                }
            }
            context.Measure($"{name}-contains", () =>
            {
                for (var i = 0; i < ours.Length; i++)
                {
                    var b = ours[i];
                    foreach (var p in probes[i])
                    {
                        sink += b.Contains(p) ? 1 : 0;
                    }
                }
            }, Croaring, () =>
            {
                for (var i = 0; i < theirs.Length; i++)
                {
                    var b = theirs[i];
                    foreach (var p in probes[i])
                    {
                        nativeSink += b.Contains(p) ? 1UL : 0;
                    }
                }
            }, ours.Length * (double)probesPerBitmap);

            var total = ours.Sum(b => b.Count);
            context.Measure($"{name}-iterate", () =>
            {
                foreach (var b in ours)
                {
                    foreach (var v in b)
                    {
                        sink += v;
                    }
                }
            }, Croaring, () =>
            {
                foreach (var b in theirs)
                {
                    foreach (var v in b.Values)
                    {
                        nativeSink += v;
                    }
                }
            }, total);

            var ourBytes = ours.Select(b => b.Serialize()).ToArray();
            var theirBytes = theirs.Select(b => b.Serialize(SerializationFormat.Portable)).ToArray();
            var buffer = new byte[Math.Max(ourBytes.Max(b => b.Length), theirBytes.Max(b => b.Length))];
            context.Measure($"{name}-serialize", () =>
            {
                foreach (var b in ours)
                {
                    sink += b.Serialize(buffer);
                }
            }, Croaring, () =>
            {
                foreach (var b in theirs)
                {
                    b.Serialize(buffer, SerializationFormat.Portable);
                }
            }, ours.Length);
            context.Measure($"{name}-deserialize", () =>
            {
                foreach (var bytes in ourBytes)
                {
                    Bitmap.Deserialize(bytes).Dispose();
                }
            }, Croaring, () =>
            {
                foreach (var bytes in theirBytes)
                {
                    Roaring32Bitmap.Deserialize(bytes, SerializationFormat.Portable).Dispose();
                }
            }, ours.Length);

            // Memory: our payload as allocated plus keys and descriptors, against CRoaring's reported payload
            // plus its per-container structure.
            long ourMemory = 0, theirMemory = 0, ourSerialized = 0, theirSerialized = 0;
            for (var i = 0; i < ours.Length; i++)
            {
                var s = ours[i].GetStatistics();
                ourMemory += s.InMemoryBytes;
                ourSerialized += s.SerializedBytes;
                var t = theirs[i].GetStatistics();
                theirMemory += (long)(t.ArrayContainerBytes + t.RunContainerBytes + t.BitsetContainerBytes) + (long)t.ContainerCount * CRoaringContainerOverhead;
                theirSerialized += theirBytes[i].Length;
            }
            context.Record(CompareResult.Of(context.Suite, $"{name}-bytes-per-value", Croaring,
                (double)ourMemory / total, (double)theirMemory / total, unit: "bytes",
                extra: new Dictionary<string, double>
                {
                    ["subject_serialized_bytes_per_value"] = (double)ourSerialized / total,
                    ["baseline_serialized_bytes_per_value"] = (double)theirSerialized / total,
                    ["values"] = total,
                },
                note: "in-memory bytes per value: Bitfuse payload as allocated + keys + descriptors; CRoaring reported payload + 27 B per container"));
            GC.KeepAlive(sink);
            GC.KeepAlive(nativeSink);
        }
        finally
        {
            foreach (var b in ours)
            {
                b.Dispose();
            }
            foreach (var b in theirs)
            {
                b.Dispose();
            }
        }
    }
}
