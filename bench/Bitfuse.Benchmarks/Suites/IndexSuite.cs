using System.Globalization;
using System.Numerics;
using System.Runtime.Intrinsics;
using Bitfuse.Benchmarks.Compare;
using Bitfuse.Fields;
using Spectre.Console;

namespace Bitfuse.Benchmarks.Suites;

/// <summary>
/// <c>compare index</c>: typed fields over the generated table (<see cref="TableGenerator"/>, 10 M rows; 1 M with --quick).
/// <list type="bullet">
/// <item><c>range-&lt;p&gt;</c>: <c>a &lt;= age &lt; b</c> with bounds picked for about p% of the rows, materialised, against
/// <c>column-scan</c> (a <c>uint[]</c> column, null as uint.MaxValue, compared 16 or 8 lanes at a time with
/// Vector512/Vector256 into a dense bitset) and <c>bsi-pairwise</c> (O'Neil's comparison over the same slices with
/// Bitfuse's pairwise <c>Bitmap</c> operations, one bitmap per step).</item>
/// <item><c>range-and-filter</c>: <c>city:c1 &amp; os:android &amp; !churned &amp; a &lt;= age &lt; b</c>, counted, against the column
/// scan plus the filter (evaluated by Bitfuse) ANDed after, probing the scanned bitset at the filter's values.</item>
/// <item><c>sum-filtered</c>: <c>sum(income, city:c2 &amp; !churned)</c> against evaluating the filter and summing a <c>long[]</c>
/// column at its values.</item>
/// <item><c>topn-1000rows</c>: <c>topn(city, 10, f)</c> over the 1,000 city rows and <c>groupby-2fields</c>:
/// <c>groupby(os, country, f)</c>, against CRoaring called directly: the filter evaluated pairwise, then one
/// <c>and_cardinality</c> per row (per os row for group-by, after one AND with it). TopN also against <c>croaring-pruned</c>,
/// an information row: the same calls, skipping the rows whose min(|row|, |filter|) cannot reach the 10th count.</item>
/// <item><c>parallel-&lt;n&gt;</c>: a range-and-filter count over n dedicated workers against the same on one.</item>
/// </list>
/// Every side's answer is checked against Bitfuse's before timing.
/// </summary>
public sealed class IndexSuite : ICompareSuite
{
    /// <inheritdoc />
    public string Name => "index";

    /// <inheritdoc />
    public string Description => "typed fields: fused ranges vs column scans and pairwise BSI, aggregates vs CRoaring and_cardinality, parallel scaling";

    /// <inheritdoc />
    public void Run(CompareContext context)
    {
        var rows = context.Quick ? 1_000_000 : 10_000_000;
        context.Console.MarkupLine($"  [grey]generating {rows:N0} rows[/]");
        using var fields = TableGenerator.Build(rows, seed: 7);
        var set = fields.Bitmaps;
        var age = (IntField)fields.Find("age")!;
        var ages = new uint[rows];
        Array.Fill(ages, uint.MaxValue);
        for (uint c = 0; c < rows; c++)
        {
            if (age.TryGet(c, out var value))
            {
                ages[c] = (uint)value;
            }
        }
        var engine = new QueryEngine();
        foreach (var percent in new[] { 1, 10, 50 })
        {
            var (low, high) = Bounds(ages, percent / 100.0);
            RunRange(context, engine, set, age, ages, $"range-{percent}%", low, high);
        }
        var (a, b) = Bounds(ages, 0.10);
        RunRangeAndFilter(context, engine, set, ages, a, b);
        RunSum(context, engine, fields);
        RunCounts(context, engine, set, fields);
        RunParallel(context, engine, set, a, b);
    }

    private static void RunRange(CompareContext context, QueryEngine engine, BitmapSet set, IntField age, uint[] ages, string name, uint low, uint high)
    {
        var query = engine.Compile($"{low} <= age < {high}");
        var words = new ulong[(ages.Length + 63) / 64];
        using var expected = query.Evaluate(set);
        var scanned = ColumnScan(ages, low, high, words);
        using var pairwise = PairwiseRange(age, set, low, high);
        Check(name, expected.Count, scanned, "column-scan");
        Check(name, expected.Count, pairwise.Count, "bsi-pairwise");
        context.Measure(name, () => query.Evaluate(set).Dispose(),
            [("column-scan", () => ColumnScan(ages, low, high, words)), ("bsi-pairwise", () => PairwiseRange(age, set, low, high).Dispose())],
            extra: new Dictionary<string, double> { ["rows"] = ages.Length, ["selected"] = expected.Count });
    }

    private static void RunRangeAndFilter(CompareContext context, QueryEngine engine, BitmapSet set, uint[] ages, uint low, uint high)
    {
        const string Filter = "city:c1 & os:android & !churned";
        var query = engine.Compile($"{Filter} & {low} <= age < {high}");
        var filter = engine.Compile(Filter);
        var words = new ulong[(ages.Length + 63) / 64];
        var buffer = new uint[ages.Length];
        long Baseline()
        {
            ColumnScan(ages, low, high, words);
            using var f = filter.Evaluate(set);
            var n = f.CopyTo(buffer);
            long count = 0;
            for (var i = 0; i < n; i++)
            {
                var v = buffer[i];
                count += (long)(words[v >> 6] >> (int)(v & 63) & 1);
            }
            return count;
        }
        var expected = query.Count(set);
        Check("range-and-filter", expected, Baseline(), "column-scan+filter");
        context.Measure("range-and-filter", () => query.Count(set), "column-scan+filter", () => Baseline());
    }

    private static void RunSum(CompareContext context, QueryEngine engine, FieldSet fields)
    {
        var set = fields.Bitmaps;
        var income = (IntField)fields.Find("income")!;
        var column = new long[set["income@exists"].Max + 1];
        foreach (var c in set["income@exists"])
        {
            income.TryGet(c, out column[c]);
        }
        const string Filter = "city:c2 & !churned";
        var aggregate = engine.CompileAggregate($"sum(income, {Filter})");
        var filter = engine.Compile(Filter);
        var buffer = new uint[column.Length];
        long Baseline()
        {
            using var f = filter.Evaluate(set);
            var n = f.CopyTo(buffer);
            long sum = 0;
            for (var i = 0; i < n; i++)
            {
                sum += column[buffer[i]];
            }
            return sum;
        }
        var expected = aggregate.Run(set).Value!.Value;
        Check("sum-filtered", (long)expected, Baseline(), "column-scan-sum");
        context.Measure("sum-filtered", () => aggregate.Run(set), "column-scan-sum", () => Baseline());
    }

    private static unsafe void RunCounts(CompareContext context, QueryEngine engine, BitmapSet set, FieldSet fields)
    {
        // CRoaring called directly (function pointers, no wrapper objects), on run-optimized copies.
        var native = new Dictionary<string, nint>(StringComparer.Ordinal);
        nint Native(string name)
        {
            if (!native.TryGetValue(name, out var bitmap))
            {
                bitmap = CRoaringDirect.FromValues(set[name].ToArray());
                native.Add(name, bitmap);
            }
            return bitmap;
        }
        try
        {
            // The filter both sides evaluate: os:(ios | android) & !churned; CRoaring pairwise over the universe.
            const string Filter = "os:(ios | android) & !churned";
            var churned = Native("churned");
            var osIos = Native("os:ios");
            var osAndroid = Native("os:android");
            nint NativeFilter()
            {
                var either = CRoaringDirect.Or(osIos, osAndroid);
                CRoaringDirect.AndNotInPlace(either, churned);
                return either;
            }
            var cities = ((SetField)fields.Find("city")!).Rows.Select(r => Native("city:" + r)).ToArray();
            var cityNames = ((SetField)fields.Find("city")!).Rows.ToArray();
            var topn = engine.CompileAggregate($"topn(city, 10, {Filter})");
            List<(string Row, long Count)> NativeTopN()
            {
                var f = NativeFilter();
                var counts = new (string Row, long Count)[cities.Length];
                for (var r = 0; r < cities.Length; r++)
                {
                    counts[r] = (cityNames[r], (long)CRoaringDirect.AndCardinality(f, cities[r]));
                }
                CRoaringDirect.Free(f);
                Array.Sort(counts, (x, y) => x.Count != y.Count ? y.Count.CompareTo(x.Count) : string.CompareOrdinal(x.Row, y.Row));
                return [.. counts.Take(10)];
            }
            // The same pruning on CRoaring: rows visited by descending cardinality (known before the query, as Bitfuse's
            // Count is), each bounded by min(|row|, |filter|) and counted only when that can still reach the 10th count.
            var byCardinality = Enumerable.Range(0, cities.Length)
                .Select(r => (Row: r, Cardinality: (long)CRoaringDirect.Cardinality(cities[r])))
                .OrderByDescending(p => p.Cardinality).ThenBy(p => cityNames[p.Row], StringComparer.Ordinal).ToArray();
            List<(string Row, long Count)> NativePrunedTopN()
            {
                var f = NativeFilter();
                var filterCount = (long)CRoaringDirect.Cardinality(f);
                var top = new List<(string Row, long Count)>(11);
                bool Beats(long count, string row) =>
                    count > 0 && (top.Count < 10 || count > top[9].Count || (count == top[9].Count && string.CompareOrdinal(row, top[9].Row) < 0));
                foreach (var (r, cardinality) in byCardinality)
                {
                    if (!Beats(Math.Min(cardinality, filterCount), cityNames[r]))
                    {
                        break;
                    }
                    var count = (long)CRoaringDirect.AndCardinality(f, cities[r]);
                    if (!Beats(count, cityNames[r]))
                    {
                        continue;
                    }
                    var at = top.Count;
                    while (at > 0 && (top[at - 1].Count < count || (top[at - 1].Count == count && string.CompareOrdinal(top[at - 1].Row, cityNames[r]) > 0)))
                    {
                        at--;
                    }
                    top.Insert(at, (cityNames[r], count));
                    if (top.Count > 10)
                    {
                        top.RemoveAt(10);
                    }
                }
                CRoaringDirect.Free(f);
                return top;
            }
            var ours = topn.Run(set).Groups.Select(g => (g.Rows[0], g.Count)).ToList();
            if (!ours.SequenceEqual(NativeTopN()) || !ours.SequenceEqual(NativePrunedTopN()))
            {
                throw new InvalidOperationException("topn-1000rows: Bitfuse and CRoaring disagree");
            }
            context.Measure("topn-1000rows", () => topn.Run(set),
                [("croaring-and-cardinality", () => NativeTopN()), ("croaring-pruned", () => NativePrunedTopN())],
                extra: new Dictionary<string, double> { ["rows"] = cities.Length });

            var osRows = ((SetField)fields.Find("os")!).Rows.Order(StringComparer.Ordinal).ToArray();
            var countryRows = ((SetField)fields.Find("country")!).Rows.Order(StringComparer.Ordinal).ToArray();
            var os = osRows.Select(r => Native("os:" + r)).ToArray();
            var countries = countryRows.Select(r => Native("country:" + r)).ToArray();
            var groupby = engine.CompileAggregate("groupby(os, country, city:c1 | city:c2 | !churned)");
            var cityOne = Native("city:c1");
            var cityTwo = Native("city:c2");
            // The universe of `!churned` on Bitfuse's side: the largest column of any grouped row + 1.
            var universe = osRows.Select(r => "os:" + r).Concat(countryRows.Select(r => "country:" + r)).Max(n => set[n].IsEmpty ? 0 : set[n].Max) + 1;
            List<(string, string, long)> NativeGroupBy()
            {
                var notChurned = CRoaringDirect.Flip(churned, 0, (ulong)universe);
                var f = CRoaringDirect.Or(cityOne, cityTwo);
                CRoaringDirect.OrInPlace(f, notChurned);
                CRoaringDirect.Free(notChurned);
                var groups = new List<(string, string, long)>();
                for (var o = 0; o < os.Length; o++)
                {
                    var narrowed = CRoaringDirect.And(f, os[o]);
                    for (var c = 0; c < countries.Length; c++)
                    {
                        var count = (long)CRoaringDirect.AndCardinality(narrowed, countries[c]);
                        if (count > 0)
                        {
                            groups.Add((osRows[o], countryRows[c], count));
                        }
                    }
                    CRoaringDirect.Free(narrowed);
                }
                CRoaringDirect.Free(f);
                return groups;
            }
            var ourGroups = groupby.Run(set).Groups.Select(g => (g.Rows[0], g.Rows[1], g.Count)).ToList();
            if (!ourGroups.SequenceEqual(NativeGroupBy()))
            {
                throw new InvalidOperationException("groupby-2fields: Bitfuse and CRoaring disagree");
            }
            context.Measure("groupby-2fields", () => groupby.Run(set), [("croaring-and-cardinality", () => NativeGroupBy())],
                extra: new Dictionary<string, double> { ["groups"] = ourGroups.Count });
        }
        finally
        {
            foreach (var bitmap in native.Values)
            {
                CRoaringDirect.Free(bitmap);
            }
        }
    }

    private static void RunParallel(CompareContext context, QueryEngine engine, BitmapSet set, uint low, uint high)
    {
        var query = engine.Compile($"(city:c1 | city:c2 | city:c3 | os:linux) & !churned & {low} <= age < {high}");
        using var one = new QueryWorkerPool(1);
        var single = new QueryRunOptions { Workers = one };
        var expected = query.Count(set, single);
        for (var n = 2; n <= Environment.ProcessorCount; n++)
        {
            using var pool = new QueryWorkerPool(n);
            var options = new QueryRunOptions { Workers = pool };
            Check($"parallel-{n}", expected, query.Count(set, options), "parallel-1");
            context.Measure($"parallel-{n}", () => query.Count(set, options), [("parallel-1", () => query.Count(set, single))],
                extra: new Dictionary<string, double> { ["workers"] = n });
        }
    }

    // The bounds [low, high) whose share of the rows is closest to the target, from the value histogram.
    private static (uint Low, uint High) Bounds(uint[] column, double share)
    {
        var histogram = new SortedDictionary<uint, long>();
        foreach (var v in column)
        {
            if (v != uint.MaxValue)
            {
                histogram[v] = histogram.GetValueOrDefault(v) + 1;
            }
        }
        var values = histogram.Keys.ToArray();
        var counts = histogram.Values.ToArray();
        var target = share * column.Length;
        var best = (Low: values[0], High: values[0] + 1, Error: double.MaxValue);
        for (var i = 0; i < values.Length; i++)
        {
            long sum = 0;
            for (var j = i; j < values.Length; j++)
            {
                sum += counts[j];
                var error = Math.Abs(sum - target);
                if (error < best.Error)
                {
                    best = (values[i], values[j] + 1, error);
                }
            }
        }
        return (best.Low, best.High);
    }

    // The column scan: low <= x < high over 16 (Vector512) or 8 (Vector256) lanes at a time, one bit per row.
    private static long ColumnScan(uint[] column, uint low, uint high, ulong[] words)
    {
        long count = 0;
        var span = (ReadOnlySpan<uint>)column;
        var width = high - low;
        var i = 0;
        var w = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            var lowVector = Vector512.Create(low);
            var widthVector = Vector512.Create(width);
            for (; i + 64 <= span.Length; i += 64, w++)
            {
                ulong word = 0;
                for (var lane = 0; lane < 4; lane++)
                {
                    var v = Vector512.Create(span.Slice(i + (16 * lane), 16));
                    // x - low < width (unsigned) is low <= x < high in one compare.
                    word |= Vector512.LessThan(v - lowVector, widthVector).ExtractMostSignificantBits() << (16 * lane);
                }
                words[w] = word;
                count += BitOperations.PopCount(word);
            }
        }
        else
        {
            var lowVector = Vector256.Create(low);
            var widthVector = Vector256.Create(width);
            for (; i + 64 <= span.Length; i += 64, w++)
            {
                ulong word = 0;
                for (var lane = 0; lane < 8; lane++)
                {
                    var v = Vector256.Create(span.Slice(i + (8 * lane), 8));
                    word |= (ulong)Vector256.LessThan(v - lowVector, widthVector).ExtractMostSignificantBits() << (8 * lane);
                }
                words[w] = word;
                count += BitOperations.PopCount(word);
            }
        }
        if (i < span.Length)
        {
            ulong word = 0;
            for (var bit = 0; i < span.Length; i++, bit++)
            {
                word |= (ulong)(span[i] - low < width ? 1 : 0) << bit;
            }
            words[w] = word;
            count += BitOperations.PopCount(word);
        }
        return count;
    }

    // O'Neil's comparison with one new bitmap per step: (exists & v >= low) minus (v >= high).
    private static Bitmap PairwiseRange(IntField age, BitmapSet set, uint low, uint high)
    {
        var schema = age.Schema!;
        using var atLeastLow = AtLeast(set, schema, (ulong)(low - schema.Minimum));
        using var atLeastHigh = AtLeast(set, schema, (ulong)(high - schema.Minimum));
        return atLeastLow.AndNot(atLeastHigh);
    }

    private static Bitmap AtLeast(BitmapSet set, IntFieldSchema schema, ulong t)
    {
        var exists = set[FieldNames.Exists("age")];
        Bitmap? g = null;
        for (var bit = 0; bit < schema.Depth; bit++)
        {
            var slice = set[FieldNames.Slice("age", bit)];
            var one = (t >> bit & 1) != 0;
            if (g is null)
            {
                if (one)
                {
                    g = slice.Clone();
                }
                continue;
            }
            var next = one ? slice.And(g) : slice.Or(g);
            g.Dispose();
            g = next;
        }
        if (g is null)
        {
            return exists.Clone();
        }
        var result = g.And(exists);
        g.Dispose();
        return result;
    }

    private static void Check(string name, long expected, long actual, string side)
    {
        if (expected != actual)
        {
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture, $"{name}: Bitfuse answers {expected}, {side} {actual}"));
        }
    }
}
