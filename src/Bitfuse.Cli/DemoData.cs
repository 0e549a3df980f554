namespace Bitfuse.Cli;

/// <summary>Where the demo's data comes from: the real-data folder when it exists, else a generated set of the same character.</summary>
internal static class DemoData
{
    /// <summary>The real-data folder: <paramref name="given"/>, else <c>../shared/datasets/realdata</c> from the working directory or above the repository.</summary>
    public static string? FindRealData(string? given)
    {
        if (given is not null)
        {
            if (!Directory.Exists(given))
            {
                throw new UserException($"no data folder '{given}'");
            }
            return Path.GetFullPath(given);
        }
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                foreach (var candidate in new[] { Path.Combine(dir.FullName, "shared", "datasets", "realdata"), Path.Combine(dir.FullName, "datasets", "realdata") })
                {
                    if (Directory.Exists(candidate))
                    {
                        return candidate;
                    }
                }
            }
        }
        return null;
    }

    /// <summary>
    /// 200 bitmaps over [0, 2^22), deterministic: a third dense (Bernoulli rows, 5–60%), a third clustered
    /// (runs of consecutive rows), a third sparse (a few thousand scattered values), like a column store's
    /// attribute bitmaps.
    /// </summary>
    public static BitmapSet Generate()
    {
        const int Rows = 1 << 22;
        var random = new Random(20201);
        return ProgressBar.Run(quiet: false, report =>
        {
            var bitmaps = new BitmapSet(ownsBitmaps: true);
            var values = new List<uint>();
            for (var i = 0; i < 200; i++)
            {
                values.Clear();
                switch (i % 3)
                {
                    case 0:
                        var density = 0.05 + (random.NextDouble() * 0.55);
                        for (uint v = 0; v < Rows; v++)
                        {
                            if (random.NextDouble() < density)
                            {
                                values.Add(v);
                            }
                        }
                        break;
                    case 1:
                        var position = random.Next(1000);
                        while (position < Rows)
                        {
                            var length = random.Next(50, 5000);
                            for (var v = position; v < Math.Min(Rows, position + length); v++)
                            {
                                values.Add((uint)v);
                            }
                            position += length + random.Next(100, 20000);
                        }
                        break;
                    default:
                        var count = random.Next(1000, 20000);
                        for (var k = 0; k < count; k++)
                        {
                            values.Add((uint)random.Next(Rows));
                        }
                        break;
                }
                var bitmap = Bitmap.FromValues(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(values));
                bitmap.Optimize();
                bitmaps.Add($"c{i}", bitmap);
                report("generating a data set", i + 1, 200);
            }
            return bitmaps;
        });
    }
}
