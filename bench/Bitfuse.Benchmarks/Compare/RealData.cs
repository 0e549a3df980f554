using System.Globalization;
using System.Text.RegularExpressions;

namespace Bitfuse.Benchmarks.Compare;

/// <summary>
/// Reads data sets in the real-data format without going through Bitfuse, so baselines get the same
/// values: one folder per data set, one .txt file per bitmap holding sorted comma-separated uint values.
/// </summary>
public static partial class RealData
{
    /// <summary>The sub-folders of <paramref name="root"/> that hold at least one .txt file, sorted by name.</summary>
    public static IReadOnlyList<string> FindDataSets(string root)
    {
        if (!Directory.Exists(root))
        {
            return [];
        }
        var sets = Directory.GetDirectories(root)
            .Where(d => Directory.EnumerateFiles(d, "*.txt").Any())
            .ToList();
        sets.Sort(StringComparer.Ordinal);
        return sets;
    }

    /// <summary>The .txt files of a data set in the numeric order of the number in their names (csv0, csv1, csv2, ...).</summary>
    public static IReadOnlyList<string> BitmapFiles(string dataSet)
    {
        var files = Directory.GetFiles(dataSet, "*.txt").ToList();
        files.Sort(CompareNumerically);
        return files;
    }

    /// <summary>Loads every bitmap of a data set as a sorted array of values, in <see cref="BitmapFiles"/> order.</summary>
    public static uint[][] LoadValues(string dataSet) => BitmapFiles(dataSet).Select(ParseFile).ToArray();

    /// <summary>Parses one file of comma- or newline-separated values, sorted and without duplicates.</summary>
    public static uint[] ParseFile(string path)
    {
        var text = File.ReadAllText(path);
        var values = new List<uint>();
        foreach (var token in text.Split([',', '\n', '\r', ' ', '\t'], StringSplitOptions.RemoveEmptyEntries))
        {
            values.Add(uint.Parse(token, NumberStyles.None, CultureInfo.InvariantCulture));
        }
        var array = values.ToArray();
        Array.Sort(array);
        return array;
    }

    private static int CompareNumerically(string a, string b)
    {
        var na = TrailingNumber(a);
        var nb = TrailingNumber(b);
        return na != nb ? na.CompareTo(nb) : StringComparer.Ordinal.Compare(a, b);
    }

    private static long TrailingNumber(string path)
    {
        var match = NumberPattern().Match(Path.GetFileNameWithoutExtension(path));
        return match.Success ? long.Parse(match.Value, CultureInfo.InvariantCulture) : -1;
    }

    [GeneratedRegex(@"\d+$")]
    private static partial Regex NumberPattern();

    /// <summary>
    /// Resolves a data folder given on the command line: as is when it exists, else relative to the
    /// repository root (the folder holding Bitfuse.slnx), so the default works from any working directory.
    /// </summary>
    public static string ResolveDirectory(string path)
    {
        if (Path.IsPathRooted(path) || Directory.Exists(path))
        {
            return Path.GetFullPath(path);
        }
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Bitfuse.slnx")))
            {
                return Path.GetFullPath(Path.Combine(dir.FullName, path));
            }
        }
        return Path.GetFullPath(path);
    }
}
