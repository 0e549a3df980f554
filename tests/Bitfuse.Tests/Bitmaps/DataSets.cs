namespace Bitfuse.Tests.Bitmaps;

/// <summary>
/// Finds the shared data sets (the folder <c>shared/datasets</c> next to an ancestor of the test binaries, or
/// <c>BITFUSE_DATASETS</c>) and caches each real data set, loaded once per test run.
/// </summary>
internal static class DataSets
{
    private static readonly Dictionary<string, BitmapSet> Loaded = new(StringComparer.Ordinal);
    private static readonly Lock LoadLock = new();

    /// <summary>The six real data sets.</summary>
    public static readonly string[] RealNames =
        ["census1881", "census1881_srt", "census-income", "uscensus2000", "wikileaks-noquotes", "wikileaks-noquotes_srt"];

    /// <summary>The <c>datasets</c> folder.</summary>
    public static string Root { get; } = Find();

    /// <summary>A file under <c>roaring-format</c>.</summary>
    public static string FormatFile(string relative) => Path.Combine(Root, "roaring-format", relative);

    /// <summary>A real data set, loaded once (the set is shared: do not dispose or change it).</summary>
    public static BitmapSet Real(string name)
    {
        lock (LoadLock)
        {
            if (!Loaded.TryGetValue(name, out var set))
            {
                set = BitmapSet.LoadFolder(Path.Combine(Root, "realdata", name));
                Loaded[name] = set;
            }
            return set;
        }
    }

    private static string Find()
    {
        var fromEnvironment = Environment.GetEnvironmentVariable("BITFUSE_DATASETS");
        if (!string.IsNullOrEmpty(fromEnvironment))
        {
            return fromEnvironment;
        }
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "datasets");
            if (Directory.Exists(Path.Combine(candidate, "realdata")))
            {
                return candidate;
            }
        }
        throw new DirectoryNotFoundException("No shared/datasets folder above the test binaries; set BITFUSE_DATASETS.");
    }
}
