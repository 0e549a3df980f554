using System.Diagnostics;
using Bitfuse.Benchmarks.Compare;
using Spectre.Console;

namespace Bitfuse.Benchmarks.Suites;

/// <summary>
/// <c>open-first-query</c>: a database holding every data set copied under new names until its data file reaches
/// 1 GiB (64 MiB with <c>--quick</c>) is opened and answers one query; the baseline loads the same bitmaps from one
/// Roaring portable file per name (the usual way to keep bitmaps on disk) and answers the same query. Both read
/// from a warm page cache; each round opens from scratch. Answers are checked equal first.
/// </summary>
public static class DatabaseOpenBench
{
    /// <summary>Builds the files, checks, times and records the row.</summary>
    public static void Run(CompareContext context, DatabaseFixture fixture)
    {
        var target = context.Quick ? 64L << 20 : 1L << 30;
        var path = Path.Combine(fixture.Root, "open.bfdb");
        var files = Path.Combine(fixture.Root, "open-roaring");
        var names = fixture.DataSets.SelectMany(s => s.Names).ToList();
        var build = Stopwatch.GetTimestamp();
        int copies;
        long dataBytes;
        using (var db = Database.Open(path, new DatabaseOptions { CheckpointLogBytes = 256L << 20 }))
        {
            copies = 0;
            while (true)
            {
                var folder = Path.Combine(files, $"copy{copies}");
                Directory.CreateDirectory(folder);
                using (var tx = db.BeginWrite())
                {
                    foreach (var name in names)
                    {
                        var copy = $"copy{copies}/{name}";
                        tx.Set(copy, fixture.Memory[name]);
                        fixture.Memory[name].SerializeToFile(Path.Combine(folder, BitmapFileName.Encode(name) + BitmapFileName.RoaringExtension));
                    }
                    tx.Commit();
                }
                copies++;
                // Fold every few copies, so the log stays small and the data file's size is known.
                if (copies % 16 == 1 || copies % 16 == 0)
                {
                    db.Checkpoint();
                    if (db.Statistics.DataFileBytes >= target)
                    {
                        break;
                    }
                }
            }
            db.Checkpoint();
            dataBytes = db.Statistics.DataFileBytes;
        }
        var roaringBytes = Directory.EnumerateFiles(files, "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length);
        context.Console.MarkupLine($"  [grey]open-first-query: {copies} copies, {names.Count * copies:N0} bitmaps; data file {dataBytes / (double)(1 << 20):F0} MiB, Roaring files {roaringBytes / (double)(1 << 20):F0} MiB; built in {Stopwatch.GetElapsedTime(build).TotalSeconds:F1} s[/]");

        var last = $"copy{copies - 1}/";
        var big = fixture.Largest.Names;
        var text = $"({DatabaseFixture.Quote(last + big[0])} | {DatabaseFixture.Quote(last + big[1])}) & !{DatabaseFixture.Quote(last + big[2])}";
        var engine = new QueryEngine();
        var expected = engine.Compile($"({DatabaseFixture.Quote(big[0])} | {DatabaseFixture.Quote(big[1])}) & !{DatabaseFixture.Quote(big[2])}").Count(fixture.Memory);

        long Open()
        {
            using var db = Database.Open(path, new DatabaseOptions { CreateIfMissing = false });
            using var snapshot = db.Snapshot();
            return engine.Compile(text).Count(snapshot);
        }

        long Deserialize()
        {
            using var set = new BitmapSet();
            var loaded = new List<Bitmap>();
            try
            {
                foreach (var folder in Directory.GetDirectories(files))
                {
                    var prefix = Path.GetFileName(folder) + "/";
                    foreach (var file in Directory.GetFiles(folder))
                    {
                        var bitmap = Bitmap.DeserializeFile(file);
                        loaded.Add(bitmap);
                        set.Add(prefix + BitmapFileName.Decode(Path.GetFileNameWithoutExtension(file)), bitmap);
                    }
                }
                return engine.Compile(text).Count(set);
            }
            finally
            {
                foreach (var bitmap in loaded)
                {
                    bitmap.Dispose();
                }
            }
        }

        if (Open() != expected || Deserialize() != expected)
        {
            throw new InvalidOperationException($"open-first-query: '{text}' answered differently than in memory ({expected})");
        }
        var rounds = context.Quick ? 3 : 5;
        var subject = new List<double>();
        var baseline = new List<double>();
        for (var round = 0; round < rounds; round++)
        {
            var start = Stopwatch.GetTimestamp();
            GC.KeepAlive(Open());
            subject.Add(Stopwatches.ElapsedNs(start));
            start = Stopwatch.GetTimestamp();
            GC.KeepAlive(Deserialize());
            baseline.Add(Stopwatches.ElapsedNs(start));
        }
        var extra = new Dictionary<string, double>
        {
            ["bitmaps"] = names.Count * copies,
            ["data_file_bytes"] = dataBytes,
            ["roaring_bytes"] = roaringBytes,
            ["subject_min_ns"] = subject.Min(),
            ["subject_max_ns"] = subject.Max(),
            ["baseline_min_ns"] = baseline.Min(),
            ["baseline_max_ns"] = baseline.Max(),
        };
        context.Record(CompareResult.Of(context.Suite, "open-first-query", "deserialize", Stopwatches.Median(subject), Stopwatches.Median(baseline),
            rounds: rounds, extra: extra,
            note: $"open a {dataBytes >> 20} MiB database of {names.Count * copies} bitmaps and count one query, against loading the same bitmaps from one Roaring file each and counting; page cache warm"));
    }
}
