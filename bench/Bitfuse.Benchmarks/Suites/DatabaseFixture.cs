using Bitfuse.Benchmarks.Compare;

namespace Bitfuse.Benchmarks.Suites;

/// <summary>
/// What the <c>database</c> cases share: a temp folder (deleted afterwards), every data set's bitmaps loaded
/// once in memory (run-optimized, as the importer stores them), and a database holding the same bitmaps under
/// the names <c>SET/FILE</c>, checkpointed, so its bitmaps are read from the mapped data file.
/// </summary>
public sealed class DatabaseFixture : IDisposable
{
    private readonly List<Bitmap> _owned = [];

    /// <summary>Loads the data sets of <paramref name="context"/> and builds the base database.</summary>
    public DatabaseFixture(CompareContext context)
    {
        Root = Path.Combine(Path.GetTempPath(), $"bitfuse-dbbench-{Environment.ProcessId}");
        if (Directory.Exists(Root))
        {
            Directory.Delete(Root, recursive: true);
        }
        Directory.CreateDirectory(Root);
        BasePath = Path.Combine(Root, "base.bfdb");
        try
        {
            using var db = Database.Open(BasePath, new DatabaseOptions { CheckpointLogBytes = 0 });
            foreach (var folder in context.DataSetDirectories())
            {
                var set = new DataSet(Path.GetFileName(folder), folder);
                using var tx = db.BeginWrite();
                foreach (var file in RealData.BitmapFiles(folder))
                {
                    var bitmap = BitmapText.Load(file);
                    bitmap.Optimize();
                    _owned.Add(bitmap);
                    var name = $"{set.Name}/{Path.GetFileNameWithoutExtension(file)}";
                    set.Names.Add(name);
                    set.Files.Add(file);
                    Memory[name] = bitmap;
                    tx.Set(name, bitmap);
                }
                tx.Commit();
                DataSets.Add(set);
            }
            db.Checkpoint();
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>The temp folder every case works in.</summary>
    public string Root { get; }

    /// <summary>The base database: every data set, checkpointed.</summary>
    public string BasePath { get; }

    /// <summary>The data sets in name order.</summary>
    public List<DataSet> DataSets { get; } = [];

    /// <summary>Every bitmap in memory, by its database name.</summary>
    public BitmapSet Memory { get; } = new();

    /// <summary>Total values over every data set.</summary>
    public long TotalValues => _owned.Sum(b => b.Count);

    /// <summary>The data set with the most values (the readers' data).</summary>
    public DataSet Largest => DataSets.MaxBy(s => s.Names.Sum(n => Memory[n].Count))!;

    /// <summary>A name as the query language writes it (quoted: data-set names hold '/').</summary>
    public static string Quote(string name) => "\"" + name + "\"";

    /// <summary>
    /// The realdata query windows over <paramref name="names"/>: k = 2, 4, 8 consecutive bitmaps, AND-all, OR-all
    /// and the mixed expression of <see cref="QueryRealDataCases.Mixed"/>, with the database names put in.
    /// </summary>
    public static List<string> Windows(IReadOnlyList<string> names)
    {
        var texts = new List<string>();
        foreach (var k in new[] { 2, 4, 8 })
        {
            for (var w = 0; w + k <= names.Count; w += k)
            {
                var window = names.Skip(w).Take(k).Select(Quote).ToArray();
                texts.Add(string.Join(" & ", window));
                texts.Add(string.Join(" | ", window));
                var mixed = QueryRealDataCases.Mixed(k);
                for (var i = k - 1; i >= 0; i--)
                {
                    mixed = mixed.Replace($"a{i}", window[i], StringComparison.Ordinal);
                }
                texts.Add(mixed);
            }
        }
        return texts;
    }

    public void Dispose()
    {
        foreach (var bitmap in _owned)
        {
            bitmap.Dispose();
        }
        _owned.Clear();
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>One data set: its name, folder, the database names of its bitmaps and their files, in numeric order.</summary>
    public sealed record DataSet(string Name, string Folder)
    {
        public List<string> Names { get; } = [];

        public List<string> Files { get; } = [];
    }
}
