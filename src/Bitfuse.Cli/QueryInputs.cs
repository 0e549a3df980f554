namespace Bitfuse.Cli;

/// <summary>
/// The bitmaps a <c>query</c> or <c>demo</c> run reads, as a <see cref="BitmapSet"/> that owns them: a data-set
/// folder loaded by <see cref="BitmapSet.LoadFolder"/> (so the command names a file's bitmap exactly as the
/// library does: the file name without <c>.txt</c>), or named files (.txt, or Roaring portable .roaring/.bin).
/// </summary>
internal static class QueryInputs
{
    /// <summary>Loads every .txt file of <paramref name="directory"/>.</summary>
    public static BitmapSet FromDataSet(string directory)
    {
        if (!Directory.Exists(directory))
        {
            throw new UserException($"no data set folder '{directory}'");
        }
        if (Directory.GetFiles(directory, "*.txt").Length == 0)
        {
            throw new UserException($"the data set folder '{directory}' holds no .txt bitmaps");
        }
        return BitmapSet.LoadFolder(directory);
    }

    /// <summary>Loads <c>NAME=FILE</c> pairs.</summary>
    public static BitmapSet FromFiles(IReadOnlyList<string> pairs)
    {
        var inputs = new BitmapSet(ownsBitmaps: true);
        try
        {
            foreach (var pair in pairs)
            {
                var equals = pair.IndexOf('=', StringComparison.Ordinal);
                if (equals <= 0 || equals == pair.Length - 1)
                {
                    throw new UserException($"--bitmap takes NAME=FILE, got '{pair}'");
                }
                var name = pair[..equals];
                var path = pair[(equals + 1)..];
                if (!File.Exists(path))
                {
                    throw new UserException($"no file '{path}' for bitmap '{name}'");
                }
                if (inputs.ContainsKey(name))
                {
                    throw new UserException($"bitmap '{name}' is given twice");
                }
                inputs.Add(name, path.EndsWith(".txt", StringComparison.OrdinalIgnoreCase) ? BitmapText.Load(path) : ReadRoaring(path));
            }
            return inputs;
        }
        catch
        {
            inputs.Dispose();
            throw;
        }
    }

    /// <summary>Total values over every bitmap of <paramref name="inputs"/>.</summary>
    public static long TotalValues(BitmapSet inputs) => inputs.Values.Sum(b => b.Count);

    private static Bitmap ReadRoaring(string path)
    {
        try
        {
            return Bitmap.DeserializeFile(path);
        }
        catch (Exception e) when (e is not IOException)
        {
            throw new InvalidDataException($"{path}: not a Roaring portable file: {e.Message}", e);
        }
    }
}
