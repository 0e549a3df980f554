using System.Globalization;
using System.Text.RegularExpressions;
using Spectre.Console;

namespace Bitfuse.Cli;

/// <summary>
/// The bitmaps a <c>query</c> or <c>demo</c> run reads, loaded from a data-set folder (one .txt file of
/// comma-separated values per bitmap) or from named files (.txt, or Roaring portable .roaring/.bin).
/// A data-set file <c>name.csv12.txt</c> is the bitmap <c>name.csv12</c>, also reachable as <c>c12</c>.
/// Owns the bitmaps it loaded.
/// </summary>
internal sealed partial class QueryInputs : IDisposable
{
    private readonly Dictionary<string, Bitmap> _bitmaps = new(StringComparer.Ordinal);
    private readonly List<string> _names = [];
    private readonly Dictionary<string, string> _aliases = new(StringComparer.Ordinal);

    private QueryInputs()
    {
        Set = new BitmapSet(name => _bitmaps.GetValueOrDefault(name), () => _bitmaps.Keys);
    }

    /// <summary>The bitmaps by name (full names and short aliases).</summary>
    public BitmapSet Set { get; }

    /// <summary>Full names in load order.</summary>
    public IReadOnlyList<string> Names => _names;

    /// <summary>The bitmap called <paramref name="name"/> (full name or alias).</summary>
    public Bitmap this[string name] => Set.Resolve(name);

    /// <summary>The short alias of <paramref name="name"/> (<c>c12</c>), or the name itself.</summary>
    public string ShortName(string name) => _aliases.GetValueOrDefault(name, name);

    /// <summary>Total values over every bitmap.</summary>
    public long TotalValues => _names.Sum(n => _bitmaps[n].Count);

    /// <summary>Loads every .txt file of <paramref name="directory"/>, with a progress bar on stderr.</summary>
    public static QueryInputs FromDataSet(string directory, int? limit = null)
    {
        if (!Directory.Exists(directory))
        {
            throw new UserException($"no data set folder '{directory}'");
        }
        var files = Directory.GetFiles(directory, "*.txt").ToList();
        files.Sort(CompareNumerically);
        if (limit is int max && files.Count > max)
        {
            files = files.GetRange(0, max);
        }
        if (files.Count == 0)
        {
            throw new UserException($"the data set folder '{directory}' holds no .txt bitmaps");
        }
        var inputs = new QueryInputs();
        try
        {
            Progress($"loading {Path.GetFileName(Path.TrimEndingDirectorySeparator(directory))}", files.Count, step =>
            {
                foreach (var file in files)
                {
                    inputs.Add(Path.GetFileNameWithoutExtension(file), ReadText(file));
                    step();
                }
            });
            inputs.AddAliases();
            return inputs;
        }
        catch
        {
            inputs.Dispose();
            throw;
        }
    }

    /// <summary>Loads <c>NAME=FILE</c> pairs.</summary>
    public static QueryInputs FromFiles(IReadOnlyList<string> pairs)
    {
        var inputs = new QueryInputs();
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
                if (inputs._bitmaps.ContainsKey(name))
                {
                    throw new UserException($"bitmap '{name}' is given twice");
                }
                var bitmap = path.EndsWith(".txt", StringComparison.OrdinalIgnoreCase) ? ReadText(path) : ReadRoaring(path);
                inputs.Add(name, bitmap);
            }
            return inputs;
        }
        catch
        {
            inputs.Dispose();
            throw;
        }
    }

    /// <summary>Adds a bitmap built elsewhere (the demo's generated data), taking ownership.</summary>
    public static QueryInputs FromBitmaps(IEnumerable<(string Name, Bitmap Bitmap)> bitmaps)
    {
        var inputs = new QueryInputs();
        foreach (var (name, bitmap) in bitmaps)
        {
            inputs.Add(name, bitmap);
        }
        return inputs;
    }

    /// <summary>Parses one text bitmap: unsigned integers separated by commas or white space.</summary>
    public static Bitmap ReadText(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var values = new List<uint>(bytes.Length / 4);
        ulong current = 0;
        var digits = 0;
        for (var i = 0; i <= bytes.Length; i++)
        {
            var c = i < bytes.Length ? bytes[i] : (byte)',';
            if (c is >= (byte)'0' and <= (byte)'9')
            {
                current = (current * 10) + (ulong)(c - '0');
                if (++digits > 10 || current > uint.MaxValue)
                {
                    throw new FormatException($"{path}: value at byte {i - digits + 1} is over 4294967295");
                }
                continue;
            }
            if (c is (byte)',' or (byte)' ' or (byte)'\n' or (byte)'\r' or (byte)'\t')
            {
                if (digits > 0)
                {
                    values.Add((uint)current);
                }
                current = 0;
                digits = 0;
                continue;
            }
            throw new FormatException($"{path}: unexpected byte 0x{c:x2} at offset {i}");
        }
        return Bitmap.FromValues(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(values));
    }

    public void Dispose()
    {
        foreach (var name in _names)
        {
            _bitmaps[name].Dispose();
        }
        _bitmaps.Clear();
        _names.Clear();
    }

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

    private void Add(string name, Bitmap bitmap)
    {
        _bitmaps[name] = bitmap;
        _names.Add(name);
    }

    // census-income.csv12 is also c12, when the number is unique.
    private void AddAliases()
    {
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var name in _names)
        {
            var match = TrailingNumber().Match(name);
            if (match.Success)
            {
                var alias = "c" + match.Value;
                seen[alias] = seen.GetValueOrDefault(alias) + 1;
            }
        }
        foreach (var name in _names.ToArray())
        {
            var match = TrailingNumber().Match(name);
            if (match.Success)
            {
                var alias = "c" + match.Value;
                if (seen[alias] == 1 && !_bitmaps.ContainsKey(alias))
                {
                    _bitmaps[alias] = _bitmaps[name];
                    _aliases[name] = alias;
                }
            }
        }
    }

    /// <summary>Runs <paramref name="work"/> under a progress bar on stderr when it is a terminal.</summary>
    public static void Progress(string title, int steps, Action<Action> work)
    {
        if (Console.IsErrorRedirected)
        {
            work(() => { });
            return;
        }
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        console.Progress().AutoClear(true).Start(context =>
        {
            var task = context.AddTask(Markup.Escape(title), maxValue: steps);
            work(() => task.Increment(1));
        });
    }

    private static int CompareNumerically(string a, string b)
    {
        var ma = TrailingNumber().Match(Path.GetFileNameWithoutExtension(a));
        var mb = TrailingNumber().Match(Path.GetFileNameWithoutExtension(b));
        if (ma.Success && mb.Success)
        {
            var c = long.Parse(ma.Value, CultureInfo.InvariantCulture).CompareTo(long.Parse(mb.Value, CultureInfo.InvariantCulture));
            if (c != 0)
            {
                return c;
            }
        }
        return StringComparer.Ordinal.Compare(a, b);
    }

    [GeneratedRegex(@"\d+$")]
    private static partial Regex TrailingNumber();
}
