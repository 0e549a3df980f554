using System.CommandLine;
using System.Globalization;

namespace Bitfuse.Cli;

/// <summary><c>bitfuse db export</c>: the bitmaps of the last commit as Roaring files or a CSV, through <see cref="DatabaseExporter"/>.</summary>
internal static class DbExportCommand
{
    public static Command Create()
    {
        var folder = DbCommand.Folder();
        var roaring = new Option<string?>("--roaring") { Description = "Write one Roaring portable file per bitmap into this folder (NAME.roaring)." };
        var csv = new Option<string?>("--csv") { Description = "Write name,value lines to this file." };
        var names = new Option<string[]>("--name") { Description = "Export only this bitmap (repeat for more); all when absent." };
        var json = JsonOutput.Switch("the export's summary");
        var output = JsonOutput.File();
        var command = new Command("export", "Write the bitmaps of the last commit as Roaring files or as a name,value CSV (what 'db import' reads).")
        {
            folder, roaring, csv, names, json, output,
        };
        command.SetAction(parse =>
        {
            var toFolder = parse.GetValue(roaring);
            var toFile = parse.GetValue(csv);
            if (toFolder is null == toFile is null)
            {
                throw new UserException("give exactly one of --roaring DIR, --csv FILE");
            }
            var selected = parse.GetValue(names) ?? [];
            using var db = DbCommand.Open(parse.GetValue(folder)!);
            using var snapshot = db.Snapshot();
            var summary = DbCommand.NamesChecked(() => ProgressBar.Run(parse.GetValue(json), report => toFolder is not null
                ? DatabaseExporter.ToRoaringFiles(snapshot, toFolder, selected, (done, total) => report("exporting", done, total))
                : DatabaseExporter.ToCsv(snapshot, toFile!, selected, (done, total) => report("exporting", done, total))));
            var target = Path.GetFullPath(toFolder ?? toFile!);
            var report = new ExportReport(db.FolderPath, snapshot.Lsn, target, toFolder is not null ? "roaring" : "csv", summary.Names, summary.Values, summary.Bytes, summary.Elapsed.TotalMilliseconds);
            JsonOutput.Emit(report, parse, json, output, () => Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"exported {DbCommand.Count(summary.Values)} values of {DbCommand.Count(summary.Names)} bitmaps (commit {snapshot.Lsn}) to {target}: {DbCommand.Bytes(summary.Bytes)} in {summary.Elapsed.TotalSeconds:F2} s")));
            return CommandLineRunner.ExitOk;
        });
        return command;
    }

    private sealed record ExportReport(string Database, long Lsn, string Target, string Format, long Names, long Values, long Bytes, double ElapsedMs);
}
