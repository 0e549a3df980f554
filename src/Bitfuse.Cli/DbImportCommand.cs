using System.CommandLine;
using System.Globalization;

namespace Bitfuse.Cli;

/// <summary>
/// <c>bitfuse db import</c>: adds bitmaps from a real-data folder, a <c>name,value</c> CSV, Roaring files, or a table
/// with typed columns (<c>--csv FILE --int age --set city</c>, stored as fields) to a database (created when absent),
/// through <see cref="DatabaseImporter"/>; renders its progress and closing line.
/// </summary>
internal static class DbImportCommand
{
    public static Command Create()
    {
        var folder = DbCommand.Folder();
        var dataset = new Option<string?>("--dataset") { Description = "A data-set folder (one .txt of comma-separated values per bitmap, named after the file), or a folder of such folders." };
        var csv = new Option<string?>("--csv") { Description = "A CSV file of name,value lines (the name is everything before the last comma); with typed columns, a table (header first, one row per column id 0, 1, 2, ...) stored as fields." };
        var columnTypes = new ColumnTypeOptions();
        var roaring = new Option<string?>("--roaring") { Description = "A folder of Roaring portable files (.roaring, .bin), one bitmap per file, named after the file." };
        var json = JsonOutput.Switch("the import's summary");
        var output = JsonOutput.File();
        var command = new Command("import", """
            Add bitmaps to a database (created when absent), then checkpoint. Values are added to the named bitmaps.
            The whole input is checked before anything is committed: a bad line or file commits nothing.
            With --int/--set/--mutex/--bool, --csv is a table whose typed columns become new fields (as query --csv reads it).
            """)
        {
            folder, dataset, csv, roaring, json, output,
        };
        columnTypes.AddTo(command);
        command.SetAction(parse =>
        {
            var sources = new[] { parse.GetValue(dataset), parse.GetValue(csv), parse.GetValue(roaring) };
            if (sources.Count(s => s is not null) != 1)
            {
                throw new UserException("give exactly one of --dataset DIR, --csv FILE, --roaring DIR");
            }
            var columns = columnTypes.Columns(parse);
            if (columns.Count > 0 && sources[1] is null)
            {
                throw new UserException("typed columns (--int, --set, --mutex, --bool) describe a --csv table");
            }
            var path = Path.GetFullPath(parse.GetValue(folder)!);
            var entriesBefore = Directory.Exists(path) ? Directory.GetFileSystemEntries(path).ToHashSet(StringComparer.Ordinal) : null;
            using var db = OpenOrCreate(path, out var created);
            ImportSummary summary;
            try
            {
                summary = ProgressBar.Run(parse.GetValue(json), report =>
                {
                    var importer = new DatabaseImporter(db) { Progress = p => report(Stage(p.Stage), p.Done, p.Total) };
                    return sources[0] is { } d ? importer.ImportDataSets(d)
                        : sources[1] is { } c ? (columns.Count > 0 ? importer.ImportTable(c, columns) : importer.ImportCsv(c))
                        : importer.ImportRoaringFiles(sources[2]!);
                });
            }
            catch when (created && db.Statistics.Lsn == 0)
            {
                // Rejected input commits nothing; a database this command created for it goes too.
                db.Dispose();
                RemoveCreated(path, entriesBefore);
                throw;
            }
            var report = new
            {
                Database = db.FolderPath,
                summary.Names,
                summary.Values,
                summary.InputBytes,
                summary.Transactions,
                ElapsedMs = summary.Elapsed.TotalMilliseconds,
                summary.ValuesPerSecond,
                summary.DataFileBytes,
                summary.LogBytes,
                summary.BytesOnDisk,
                summary.BytesAdded,
                summary.BytesPerValue,
            };
            JsonOutput.Emit(report, parse, json, output, () => Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"imported {DbCommand.Count(summary.Values)} values into {DbCommand.Count(summary.Names)} bitmaps in {summary.Elapsed.TotalSeconds:F2} s ({summary.ValuesPerSecond / 1e6:F2} M values/s); " +
                $"on disk {DbCommand.Bytes(summary.BytesOnDisk)} (data file {DbCommand.Bytes(summary.DataFileBytes)}, log {DbCommand.Bytes(summary.LogBytes)}), {summary.BytesPerValue:F2} bytes per value imported")));
            return CommandLineRunner.ExitOk;
        });
        return command;
    }

    /// <summary>Opens the database at <paramref name="path"/>, creating it when absent (then <paramref name="created"/> is true).</summary>
    private static Database OpenOrCreate(string path, out bool created)
    {
        try
        {
            created = false;
            return DbCommand.Open(path);
        }
        catch (DirectoryNotFoundException)
        {
            created = true;
            return DbCommand.Open(path, create: true);
        }
    }

    /// <summary>Removes what creating the database at <paramref name="path"/> added: the folder itself when it was absent, else the entries it did not hold.</summary>
    private static void RemoveCreated(string path, HashSet<string>? entriesBefore)
    {
        if (entriesBefore is null)
        {
            Directory.Delete(path, recursive: true);
            return;
        }
        foreach (var entry in Directory.GetFileSystemEntries(path))
        {
            if (!entriesBefore.Contains(entry))
            {
                File.Delete(entry);
            }
        }
    }

    private static string Stage(ImportStage stage) => stage switch
    {
        ImportStage.Reading => "reading and checking",
        ImportStage.Committing => "committing",
        _ => "checkpointing",
    };
}
