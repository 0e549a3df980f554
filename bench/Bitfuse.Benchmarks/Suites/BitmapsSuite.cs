using System.Runtime.InteropServices;
using Bitfuse.Benchmarks.Compare;
using Roaring.Net.CRoaring;
using Spectre.Console;

namespace Bitfuse.Benchmarks.Suites;

/// <summary>
/// <c>compare bitmaps</c>: Bitfuse bitmaps against CRoaring on each real data set and on the generated
/// <see cref="ShapeData"/> sweep, the way CRoaring's own real-data benchmark works: the successive pairs (B0,B1),
/// (B1,B2), ... for the pairwise operations (materialised and counted), the OR and XOR of all of them at once
/// (<see cref="Bitmap.OrMany(ReadOnlySpan{Bitmap})"/> against <c>or_many</c> and <c>or_many_heap</c>), random membership probes, iteration
/// summing every value, portable serialization both ways, and memory per value. Every side holds the same
/// values, run-optimized. Two baselines: <c>croaring</c> calls libroaring directly (<see cref="CRoaringDirect"/>),
/// taking the fastest of its APIs where there are several (contains or contains_bulk; bulk array copy, bulk
/// iterator read or the per-value callback; safe or trusting deserialization); <c>croaring-net</c> is the
/// Roaring.Net wrapper. Every side's answer is checked before timing. Times are per pair (operations), per
/// probe (contains), per value (iterate) and per bitmap (serialize, deserialize).
/// </summary>
public sealed unsafe class BitmapsSuite : ICompareSuite
{
    /// <summary>Bytes CRoaring spends per container beyond its payload: key (2), container pointer (8) and
    /// typecode (1) in its roaring_array, plus the 16-byte container struct.</summary>
    public const int CRoaringContainerOverhead = 27;

    private const string Croaring = "croaring";
    private const string CroaringNet = "croaring-net";

    private enum Op
    {
        And,
        Or,
        Xor,
        AndNot,
    }

    /// <inheritdoc />
    public string Name => "bitmaps";

    /// <inheritdoc />
    public string Description => "Roaring operations on the real data sets and generated shapes vs CRoaring (direct and Roaring.Net): " +
        "and/or/xor/andnot, counts, contains, iterate, serialize, deserialize, bytes per value";

    /// <inheritdoc />
    public void Run(CompareContext context)
    {
        foreach (var dataSet in context.DataSetDirectories())
        {
            RunDataSet(context, Path.GetFileName(dataSet), RealData.LoadValues(dataSet));
        }
        foreach (var shape in ShapeData.Sweep(context.Seed, context.Quick))
        {
            context.Console.MarkupLine($"  [grey]{Markup.Escape(shape.Describe())}[/]");
            RunDataSet(context, shape.Name, shape.Generate());
        }
    }

    /// <summary>Runs every case on one data set given as sorted value arrays.</summary>
    public static void RunDataSet(CompareContext context, string name, uint[][] values)
    {
        var ours = values.Select(v => Bitmap.FromValues(v)).ToArray();
        var theirs = values.Select(v => Roaring32Bitmap.FromValues(v)).ToArray();
        var direct = values.Select(v => CRoaringDirect.FromValues(v)).ToArray();
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
            foreach (var op in new[] { Op.And, Op.Or, Op.Xor, Op.AndNot })
            {
                if (Selected($"{name}-{OpName(op)}"))
                {
                    MeasureMaterialised(context, $"{name}-{OpName(op)}", op, ours, direct, theirs);
                }
            }
            foreach (var op in new[] { Op.And, Op.Or, Op.Xor, Op.AndNot })
            {
                if (Selected($"{name}-{OpName(op)}-count"))
                {
                    MeasureCount(context, $"{name}-{OpName(op)}-count", op, ours, direct, theirs);
                }
            }
            if (Selected($"{name}-or-many") || Selected($"{name}-xor-many") || Selected($"{name}-or-many-count"))
            {
                MeasureMany(context, name, ours, direct);
            }
            if (Selected($"{name}-contains"))
            {
                MeasureContains(context, name, values, ours, direct, theirs);
            }
            if (Selected($"{name}-iterate") || Selected($"{name}-iterate-foreach"))
            {
                MeasureIterate(context, name, ours, direct, theirs);
            }
            if (Selected($"{name}-serialize") || Selected($"{name}-deserialize"))
            {
                MeasureSerialization(context, name, ours, direct, theirs);
            }
            if (Selected($"{name}-bytes-per-value"))
            {
                RecordBytes(context, name, ours, theirs);
            }
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
            foreach (var b in direct)
            {
                CRoaringDirect.Free(b);
            }
        }
    }

    /// <summary>
    /// True when <c>BITFUSE_BITMAPS_CASES</c> is unset or empty, or one of its comma-separated parts occurs in
    /// <paramref name="caseName"/>, or ends it when the part ends with <c>$</c> (for iterating on a few rows:
    /// <c>BITFUSE_BITMAPS_CASES='deserialize,-or$'</c>).
    /// A group of cases measured together (serialize and deserialize, the three many-way cases) runs whole when one of them is selected.
    /// </summary>
    public static bool Selected(string caseName) => CaseFilter.Selected("BITFUSE_BITMAPS_CASES", caseName);

    private static string OpName(Op op) => op switch
    {
        Op.And => "and",
        Op.Or => "or",
        Op.Xor => "xor",
        _ => "andnot",
    };

    private static Bitmap Ours(Op op, Bitmap a, Bitmap b) => op switch
    {
        Op.And => a.And(b),
        Op.Or => a.Or(b),
        Op.Xor => a.Xor(b),
        _ => a.AndNot(b),
    };

    private static delegate* unmanaged[SuppressGCTransition]<nint, nint, nint> Direct(Op op) => op switch
    {
        Op.And => CRoaringDirect.And,
        Op.Or => CRoaringDirect.Or,
        Op.Xor => CRoaringDirect.Xor,
        _ => CRoaringDirect.AndNot,
    };

    private static Roaring32Bitmap Net(Op op, Roaring32Bitmap a, Roaring32Bitmap b) => op switch
    {
        Op.And => a.And(b),
        Op.Or => a.Or(b),
        Op.Xor => a.Xor(b),
        _ => a.AndNot(b),
    };

    private static void MeasureMaterialised(CompareContext context, string caseName, Op op, Bitmap[] ours, nint[] direct, Roaring32Bitmap[] theirs)
    {
        var pairs = ours.Length - 1;
        var native = Direct(op);
        for (var i = 0; i < pairs; i++)
        {
            using var mine = Ours(op, ours[i], ours[i + 1]);
            var c = native(direct[i], direct[i + 1]);
            using var net = Net(op, theirs[i], theirs[i + 1]);
            CompareContext.Check($"{caseName} pair {i}",
                [("bitfuse", Answer.Of(mine)), (Croaring, CRoaringDirect.Answer(c)), (CroaringNet, Answer.Of(net.ToArray()))]);
            CRoaringDirect.Free(c);
        }
        context.Measure(caseName, () =>
        {
            for (var i = 0; i < pairs; i++)
            {
                Ours(op, ours[i], ours[i + 1]).Dispose();
            }
        },
        [
            CompareBaseline.Of(Croaring, () =>
            {
                for (var i = 0; i < pairs; i++)
                {
                    CRoaringDirect.Free(native(direct[i], direct[i + 1]));
                }
            }),
            CompareBaseline.Of(CroaringNet, () =>
            {
                for (var i = 0; i < pairs; i++)
                {
                    Net(op, theirs[i], theirs[i + 1]).Dispose();
                }
            }),
        ], pairs);
    }

    private static void MeasureCount(CompareContext context, string caseName, Op op, Bitmap[] ours, nint[] direct, Roaring32Bitmap[] theirs)
    {
        var pairs = ours.Length - 1;
        Func<Bitmap, Bitmap, long> mine = op switch
        {
            Op.And => static (a, b) => a.AndCount(b),
            Op.Or => static (a, b) => a.OrCount(b),
            Op.Xor => static (a, b) => a.XorCount(b),
            _ => static (a, b) => a.AndNotCount(b),
        };
        var native = op switch
        {
            Op.And => CRoaringDirect.AndCardinality,
            Op.Or => CRoaringDirect.OrCardinality,
            Op.Xor => CRoaringDirect.XorCardinality,
            _ => CRoaringDirect.AndNotCardinality,
        };
        Func<Roaring32Bitmap, Roaring32Bitmap, ulong> net = op switch
        {
            Op.And => static (a, b) => a.AndCount(b),
            Op.Or => static (a, b) => a.OrCount(b),
            Op.Xor => static (a, b) => a.XorCount(b),
            _ => static (a, b) => a.AndNotCount(b),
        };
        for (var i = 0; i < pairs; i++)
        {
            CompareContext.Check($"{caseName} pair {i}",
            [
                ("bitfuse", Answer.OfCount(mine(ours[i], ours[i + 1]))),
                (Croaring, Answer.OfCount((long)native(direct[i], direct[i + 1]))),
                (CroaringNet, Answer.OfCount((long)net(theirs[i], theirs[i + 1]))),
            ]);
        }
        long sink = 0;
        context.Measure(caseName, () =>
        {
            for (var i = 0; i < pairs; i++)
            {
                sink += mine(ours[i], ours[i + 1]);
            }
        },
        [
            CompareBaseline.Of(Croaring, () =>
            {
                for (var i = 0; i < pairs; i++)
                {
                    sink += (long)native(direct[i], direct[i + 1]);
                }
            }),
            CompareBaseline.Of(CroaringNet, () =>
            {
                for (var i = 0; i < pairs; i++)
                {
                    sink += (long)net(theirs[i], theirs[i + 1]);
                }
            }),
        ], pairs);
        GC.KeepAlive(sink);
    }

    // The whole data set at once: Bitmap.OrMany/XorMany/OrManyCount against CRoaring's or_many (or its heap form,
    // whichever is faster) and xor_many; CRoaring has no counting form, so its count is or_many plus the cardinality.
    private static void MeasureMany(CompareContext context, string name, Bitmap[] ours, nint[] direct)
    {
        var n = direct.Length;
        // The pointer table CRoaring takes, kept as an address so the timed lambdas can capture it.
        var table = (nint)NativeMemory.Alloc((nuint)n, (nuint)sizeof(nint));
        try
        {
            direct.AsSpan().CopyTo(new Span<nint>((void*)table, n));
            nint OrMany() => CRoaringDirect.OrMany((nuint)n, (nint*)table);
            nint OrManyHeap() => CRoaringDirect.OrManyHeap((uint)n, (nint*)table);
            nint XorMany() => CRoaringDirect.XorMany((nuint)n, (nint*)table);
            long Counted(nint bitmap)
            {
                var count = (long)CRoaringDirect.Cardinality(bitmap);
                CRoaringDirect.Free(bitmap);
                return count;
            }
            Answer NativeAnswer(nint bitmap)
            {
                var answer = CRoaringDirect.Answer(bitmap);
                CRoaringDirect.Free(bitmap);
                return answer;
            }

            using (var or = Bitmap.OrMany(ours))
            using (var xor = Bitmap.XorMany(ours))
            {
                CompareContext.Check($"{name}-or-many",
                    [("bitfuse", Answer.Of(or)), ("croaring or_many", NativeAnswer(OrMany())), ("croaring or_many_heap", NativeAnswer(OrManyHeap()))]);
                CompareContext.Check($"{name}-xor-many", [("bitfuse", Answer.Of(xor)), ("croaring xor_many", NativeAnswer(XorMany()))]);
                CompareContext.Check($"{name}-or-many-count",
                    [("bitfuse", Answer.OfCount(Bitmap.OrManyCount(ours))), ("croaring or_many", Answer.OfCount(Counted(OrMany())))]);
            }
            long sink = 0;
            context.Measure($"{name}-or-many", () => Bitmap.OrMany(ours).Dispose(),
            [
                new CompareBaseline(Croaring, [("or_many", () => CRoaringDirect.Free(OrMany())), ("or_many_heap", () => CRoaringDirect.Free(OrManyHeap()))]),
            ], 1);
            context.Measure($"{name}-xor-many", () => Bitmap.XorMany(ours).Dispose(),
            [
                CompareBaseline.Of(Croaring, () => CRoaringDirect.Free(XorMany())),
            ], 1);
            context.Measure($"{name}-or-many-count", () => sink += Bitmap.OrManyCount(ours),
            [
                new CompareBaseline(Croaring, [("or_many", () => sink += Counted(OrMany())), ("or_many_heap", () => sink += Counted(OrManyHeap()))]),
            ], 1);
            GC.KeepAlive(sink);
        }
        finally
        {
            NativeMemory.Free((void*)table);
        }
    }

    private static void MeasureContains(CompareContext context, string name, uint[][] values, Bitmap[] ours, nint[] direct, Roaring32Bitmap[] theirs)
    {
        // The same random probes (half hits) against every bitmap.
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
        long Mine()
        {
            long hits = 0;
            for (var i = 0; i < ours.Length; i++)
            {
                var b = ours[i];
                foreach (var p in probes[i])
                {
                    hits += b.Contains(p) ? 1 : 0;
                }
            }
            return hits;
        }
        long Plain()
        {
            long hits = 0;
            for (var i = 0; i < direct.Length; i++)
            {
                var b = direct[i];
                foreach (var p in probes[i])
                {
                    hits += CRoaringDirect.Contains(b, p);
                }
            }
            return hits;
        }
        long Bulk()
        {
            long hits = 0;
            for (var i = 0; i < direct.Length; i++)
            {
                var b = direct[i];
                var bulk = default(CRoaringDirect.BulkContext);
                foreach (var p in probes[i])
                {
                    hits += CRoaringDirect.ContainsBulk(b, &bulk, p);
                }
            }
            return hits;
        }
        long Net()
        {
            long hits = 0;
            for (var i = 0; i < theirs.Length; i++)
            {
                var b = theirs[i];
                foreach (var p in probes[i])
                {
                    hits += b.Contains(p) ? 1 : 0;
                }
            }
            return hits;
        }
        var caseName = $"{name}-contains";
        CompareContext.Check(caseName,
        [
            ("bitfuse", Answer.OfCount(Mine())), ("croaring contains", Answer.OfCount(Plain())),
            ("croaring contains_bulk", Answer.OfCount(Bulk())), (CroaringNet, Answer.OfCount(Net())),
        ]);
        long sink = 0;
        context.Measure(caseName, () => sink += Mine(),
        [
            new CompareBaseline(Croaring, [("contains", () => sink += Plain()), ("contains_bulk", () => sink += Bulk())]),
            CompareBaseline.Of(CroaringNet, () => sink += Net()),
        ], ours.Length * (double)probesPerBitmap);
        GC.KeepAlive(sink);
    }

    private static void MeasureIterate(CompareContext context, string name, Bitmap[] ours, nint[] direct, Roaring32Bitmap[] theirs)
    {
        const int Chunk = 256;
        var total = ours.Sum(b => b.Count);
        var buffer = new uint[Math.Max(1, ours.Max(b => b.Count))];
        // Each side's bulk form: Bitfuse's batch reader against CRoaring's best of its bulk forms; the per-value
        // enumerator is a second case against the same baseline.
        ulong Mine()
        {
            ulong sum = 0;
            Span<uint> chunk = stackalloc uint[Chunk];
            foreach (var b in ours)
            {
                var reader = b.GetReader();
                int n;
                while ((n = reader.Read(chunk)) > 0)
                {
                    foreach (var v in chunk[..n])
                    {
                        sum += v;
                    }
                }
            }
            return sum;
        }
        ulong MineForEach()
        {
            ulong sum = 0;
            foreach (var b in ours)
            {
                foreach (var v in b)
                {
                    sum += v;
                }
            }
            return sum;
        }
        ulong ToArray()
        {
            ulong sum = 0;
            fixed (uint* p = buffer)
            {
                foreach (var b in direct)
                {
                    CRoaringDirect.ToArray(b, p);
                    var n = (long)CRoaringDirect.Cardinality(b);
                    for (long i = 0; i < n; i++)
                    {
                        sum += p[i];
                    }
                }
            }
            return sum;
        }
        ulong IteratorRead()
        {
            ulong sum = 0;
            var chunk = stackalloc uint[Chunk];
            foreach (var b in direct)
            {
                var it = CRoaringDirect.IteratorCreate(b);
                uint n;
                while ((n = CRoaringDirect.IteratorRead(it, chunk, Chunk)) > 0)
                {
                    for (var i = 0; i < n; i++)
                    {
                        sum += chunk[i];
                    }
                }
                CRoaringDirect.IteratorFree(it);
            }
            return sum;
        }
        ulong Callback()
        {
            ulong sum = 0;
            foreach (var b in direct)
            {
                sum += CRoaringDirect.SumByCallback(b);
            }
            return sum;
        }
        ulong Net()
        {
            ulong sum = 0;
            foreach (var b in theirs)
            {
                foreach (var v in b.Values)
                {
                    sum += v;
                }
            }
            return sum;
        }
        var caseName = $"{name}-iterate";
        CompareContext.Check(caseName,
        [
            ("bitfuse", Answer.OfCount((long)Mine())), ("bitfuse foreach", Answer.OfCount((long)MineForEach())),
            ("croaring to_uint32_array", Answer.OfCount((long)ToArray())),
            ("croaring iterator_read", Answer.OfCount((long)IteratorRead())), ("croaring iterate", Answer.OfCount((long)Callback())),
            (CroaringNet, Answer.OfCount((long)Net())),
        ]);
        ulong sink = 0;
        context.Measure(caseName, () => sink += Mine(),
        [
            new CompareBaseline(Croaring,
            [
                ("to_uint32_array", () => sink += ToArray()),
                ("uint32_iterator_read", () => sink += IteratorRead()),
                ("roaring_iterate", () => sink += Callback()),
            ]),
            CompareBaseline.Of(CroaringNet, () => sink += Net()),
        ], total);
        context.Measure($"{name}-iterate-foreach", () => sink += MineForEach(),
        [
            new CompareBaseline(Croaring,
            [
                ("to_uint32_array", () => sink += ToArray()),
                ("uint32_iterator_read", () => sink += IteratorRead()),
                ("roaring_iterate", () => sink += Callback()),
            ]),
        ], total);
        GC.KeepAlive(sink);
    }

    private static void MeasureSerialization(CompareContext context, string name, Bitmap[] ours, nint[] direct, Roaring32Bitmap[] theirs)
    {
        var ourBytes = ours.Select(b => b.Serialize()).ToArray();
        var directBytes = direct.Select(b =>
        {
            var bytes = new byte[(int)CRoaringDirect.PortableSize(b)];
            fixed (byte* p = bytes)
            {
                CRoaringDirect.PortableSerialize(b, p);
            }
            return bytes;
        }).ToArray();
        var netBytes = theirs.Select(b => b.Serialize(SerializationFormat.Portable)).ToArray();
        var identical = 0;
        for (var i = 0; i < ours.Length; i++)
        {
            // Each side's bytes read back by the other library hold the same values as the original.
            var expected = Answer.Of(ours[i]);
            nint fromOurs;
            fixed (byte* p = ourBytes[i])
            {
                fromOurs = CRoaringDirect.PortableDeserializeSafe(p, (nuint)ourBytes[i].Length);
            }
            using var fromDirect = Bitmap.Deserialize(directBytes[i]);
            using var fromNet = Bitmap.Deserialize(netBytes[i]);
            CompareContext.Check($"{name}-serialize bitmap {i}",
            [
                ("bitfuse", expected), ("bitfuse bytes read by croaring", fromOurs == 0 ? default : CRoaringDirect.Answer(fromOurs)),
                ("croaring bytes read by bitfuse", Answer.Of(fromDirect)), ("croaring-net bytes read by bitfuse", Answer.Of(fromNet)),
            ]);
            CRoaringDirect.Free(fromOurs);
            identical += ourBytes[i].AsSpan().SequenceEqual(directBytes[i]) ? 1 : 0;
        }
        var buffer = new byte[Math.Max(ourBytes.Max(b => b.Length), directBytes.Max(b => b.Length))];
        long sink = 0;
        var extra = new Dictionary<string, double> { ["bitmaps_with_identical_bytes"] = identical, ["bitmaps"] = ours.Length };
        context.Measure($"{name}-serialize", () =>
        {
            foreach (var b in ours)
            {
                sink += b.Serialize(buffer);
            }
        },
        [
            CompareBaseline.Of(Croaring, () =>
            {
                fixed (byte* p = buffer)
                {
                    foreach (var b in direct)
                    {
                        sink += (long)CRoaringDirect.PortableSerialize(b, p);
                    }
                }
            }),
            CompareBaseline.Of(CroaringNet, () =>
            {
                foreach (var b in theirs)
                {
                    b.Serialize(buffer, SerializationFormat.Portable);
                }
            }),
        ], ours.Length, extra);

        var pinned = directBytes.Select(b => GCHandlePinned(b)).ToArray();
        try
        {
            void Deserialize(bool safe)
            {
                for (var i = 0; i < directBytes.Length; i++)
                {
                    var p = (byte*)pinned[i].AddrOfPinnedObject();
                    CRoaringDirect.Free(safe ? CRoaringDirect.PortableDeserializeSafe(p, (nuint)directBytes[i].Length) : CRoaringDirect.PortableDeserialize(p));
                }
            }
            for (var i = 0; i < ours.Length; i++)
            {
                var p = (byte*)pinned[i].AddrOfPinnedObject();
                var safe = CRoaringDirect.PortableDeserializeSafe(p, (nuint)directBytes[i].Length);
                var trusting = CRoaringDirect.PortableDeserialize(p);
                using var mine = Bitmap.Deserialize(ourBytes[i]);
                using var net = Roaring32Bitmap.Deserialize(netBytes[i], SerializationFormat.Portable);
                CompareContext.Check($"{name}-deserialize bitmap {i}",
                [
                    ("bitfuse", Answer.Of(mine)), ("croaring deserialize_safe", CRoaringDirect.Answer(safe)),
                    ("croaring deserialize", CRoaringDirect.Answer(trusting)), (CroaringNet, Answer.Of(net.ToArray())),
                    ("original", Answer.Of(ours[i])),
                ]);
                CRoaringDirect.Free(safe);
                CRoaringDirect.Free(trusting);
            }
            context.Measure($"{name}-deserialize", () =>
            {
                foreach (var bytes in ourBytes)
                {
                    Bitmap.Deserialize(bytes).Dispose();
                }
            },
            [
                new CompareBaseline(Croaring, [("portable_deserialize_safe", () => Deserialize(safe: true)), ("portable_deserialize", () => Deserialize(safe: false))]),
                CompareBaseline.Of(CroaringNet, () =>
                {
                    foreach (var bytes in netBytes)
                    {
                        Roaring32Bitmap.Deserialize(bytes, SerializationFormat.Portable).Dispose();
                    }
                }),
            ], ours.Length);
        }
        finally
        {
            foreach (var handle in pinned)
            {
                handle.Free();
            }
        }
        GC.KeepAlive(sink);
    }

    private static System.Runtime.InteropServices.GCHandle GCHandlePinned(byte[] bytes) =>
        System.Runtime.InteropServices.GCHandle.Alloc(bytes, System.Runtime.InteropServices.GCHandleType.Pinned);

    // Memory: our payload as allocated plus keys and descriptors, against CRoaring's reported payload plus its
    // per-container structure.
    private static void RecordBytes(CompareContext context, string name, Bitmap[] ours, Roaring32Bitmap[] theirs)
    {
        long ourMemory = 0, theirMemory = 0, ourSerialized = 0, theirSerialized = 0, total = 0;
        for (var i = 0; i < ours.Length; i++)
        {
            var s = ours[i].GetStatistics();
            ourMemory += s.InMemoryBytes;
            ourSerialized += s.SerializedBytes;
            total += ours[i].Count;
            var t = theirs[i].GetStatistics();
            theirMemory += (long)(t.ArrayContainerBytes + t.RunContainerBytes + t.BitsetContainerBytes) + (long)t.ContainerCount * CRoaringContainerOverhead;
            theirSerialized += (long)theirs[i].GetSerializationSize(SerializationFormat.Portable);
        }
        total = Math.Max(total, 1);
        context.Record(CompareResult.Of(context.Suite, $"{name}-bytes-per-value", Croaring,
            (double)ourMemory / total, (double)theirMemory / total, unit: "bytes",
            extra: new Dictionary<string, double>
            {
                ["subject_serialized_bytes_per_value"] = (double)ourSerialized / total,
                ["baseline_serialized_bytes_per_value"] = (double)theirSerialized / total,
                ["values"] = total,
            },
            note: "in-memory bytes per value: Bitfuse payload as allocated + keys + descriptors; CRoaring reported payload + 27 B per container"));
    }
}
