using System.Diagnostics;

namespace Bitfuse.Storage.Tests;

/// <summary>
/// Reader threads check self-identifying 4 KiB pages, by copy and zero-copy, while a writer keeps
/// appending pages. Any read of the wrong bytes, of a torn page, of unwritten bytes, or of an
/// unmapped range (a crash) fails the test. Set BITFUSE_STRESS_READS to run longer.
/// </summary>
public sealed class GrowthUnderReadersTests : IDisposable
{
    private const int Readers = 3;
    private const int MaxPages = 16_384;

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static long ReadsPerReader =>
        long.TryParse(Environment.GetEnvironmentVariable("BITFUSE_STRESS_READS"), out var n) && n > 0 ? n : 200_000;

    public static TheoryData<string> Variants => ["reserve", "reserve-defaults", "reserve-small-reservation", "usecount", "smr"];

    private static MappedFileOptions OptionsFor(string variant) => variant switch
    {
        "reserve" => new MappedFileOptions { Strategy = GrowthStrategy.Reserve, ExtentBytes = 64 << 10 },
        // The defaults: one 1 GiB extent mapped ahead of the end, disk allocated a quarter ahead.
        "reserve-defaults" => new MappedFileOptions { Strategy = GrowthStrategy.Reserve },
        // A 256 KiB reservation runs out after 64 pages and keeps falling back to SMR remaps.
        "reserve-small-reservation" => new MappedFileOptions { Strategy = GrowthStrategy.Reserve, ReservationBytes = 256 << 10, ExtentBytes = 16 << 10 },
        "usecount" => new MappedFileOptions { Strategy = GrowthStrategy.UseCount },
        "smr" => new MappedFileOptions { Strategy = GrowthStrategy.Smr },
        _ => throw new ArgumentOutOfRangeException(nameof(variant)),
    };

    [Theory]
    [MemberData(nameof(Variants))]
    public void Readers_see_only_intact_pages_while_the_file_grows(string variant)
    {
        using var file = MappedFile.Create(_dir.File(variant + ".dat"), OptionsFor(variant));
        file.Append(Pages.Make(0));

        var readsPerReader = ReadsPerReader;
        long mismatches = 0, totalReads = 0, spanReads = 0;
        Exception? failure = null;
        var readersLeft = Readers;
        var lengthAtStart = file.Length;

        var readers = new Thread[Readers];
        for (var r = 0; r < Readers; r++)
        {
            var seed = r;
            readers[r] = new Thread(() =>
            {
                try
                {
                    var random = new Random(seed);
                    var page = new byte[Pages.Size];
                    for (long i = 0; i < readsPerReader; i++)
                    {
                        var pages = file.Length / Pages.Size;
                        // Half of the reads go to the newest page, where growth happens.
                        var index = (i & 2) == 0 ? pages - 1 : random.NextInt64(pages);
                        var offset = index * Pages.Size;
                        bool intact;
                        if ((i & 1) == 0)
                        {
                            file.Read(offset, page);
                            intact = Pages.Verify(page, offset);
                        }
                        else
                        {
                            using var scope = file.BeginRead();
                            intact = Pages.Verify(scope.GetSpan(offset, Pages.Size), offset);
                            Interlocked.Increment(ref spanReads);
                        }
                        if (!intact)
                        {
                            Interlocked.Increment(ref mismatches);
                        }
                        Interlocked.Increment(ref totalReads);
                    }
                }
                catch (Exception e)
                {
                    Interlocked.CompareExchange(ref failure, e, null);
                }
                finally
                {
                    Interlocked.Decrement(ref readersLeft);
                }
            });
        }

        var appended = 1;
        var writer = new Thread(() =>
        {
            try
            {
                var batch = new byte[4 * Pages.Size];
                while (Volatile.Read(ref readersLeft) > 0 && appended < MaxPages)
                {
                    long offset = appended * (long)Pages.Size;
                    if (appended % 5 == 0)
                    {
                        // A multi-page append publishes all its pages at once.
                        for (var p = 0; p < 4; p++)
                        {
                            Pages.Fill(batch.AsSpan(p * Pages.Size, Pages.Size), offset + p * Pages.Size);
                        }
                        Assert.Equal(offset, file.Append(batch));
                        appended += 4;
                    }
                    else
                    {
                        Assert.Equal(offset, file.Append(Pages.Make(offset)));
                        appended++;
                    }
                    if (appended % 64 == 0)
                    {
                        Thread.Sleep(1);
                    }
                }
            }
            catch (Exception e)
            {
                Interlocked.CompareExchange(ref failure, e, null);
            }
        });

        var clock = Stopwatch.StartNew();
        writer.Start();
        foreach (var t in readers)
        {
            t.Start();
        }
        foreach (var t in readers)
        {
            t.Join();
        }
        var lengthAtEnd = file.Length;
        writer.Join();

        Assert.Null(failure);
        Assert.Equal(0, mismatches);
        Assert.Equal(Readers * readsPerReader, totalReads);
        Assert.True(spanReads > 0);
        Assert.True(lengthAtEnd > lengthAtStart + 16 * Pages.Size, $"the file grew only from {lengthAtStart} to {lengthAtEnd} bytes in {clock.Elapsed}");

        var stats = file.Statistics;
        Assert.Equal(totalReads, stats.MappedReads + stats.SystemCallReads);
        if (variant == "reserve-small-reservation")
        {
            Assert.True(stats.ReservationFallbacks > 0);
        }

        // Afterwards every page is intact, read straight through.
        var check = new byte[Pages.Size];
        for (long offset = 0; offset < file.Length; offset += Pages.Size)
        {
            file.Read(offset, check);
            Assert.True(Pages.Verify(check, offset), $"page at {offset}");
        }
    }
}
