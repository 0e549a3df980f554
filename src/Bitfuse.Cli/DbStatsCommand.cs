using System.CommandLine;
using Spectre.Console;

namespace Bitfuse.Cli;

/// <summary><c>bitfuse db stats</c>: names, cardinalities, container kinds, file and log sizes, the last checkpoint.</summary>
internal static class DbStatsCommand
{
    public static Command Create()
    {
        var folder = DbCommand.Folder();
        var summary = new Option<bool>("--summary") { Description = "Leave out the table of names." };
        var json = JsonOutput.Switch("the statistics");
        var output = JsonOutput.File();
        var command = new Command("stats", "Show the bitmaps (values, containers by kind), the file and log sizes and the last checkpoint.") { folder, summary, json, output };
        command.SetAction(parse =>
        {
            using var db = DbCommand.Open(parse.GetValue(folder)!);
            using var snapshot = db.Snapshot();
            var stats = db.Statistics;
            var rows = new List<NameRow>();
            if (!parse.GetValue(summary) || parse.GetValue(json))
            {
                foreach (var name in snapshot.Names)
                {
                    var s = snapshot[name].GetStatistics();
                    rows.Add(new NameRow(name, s.Count, s.ArrayContainers, s.BitsetContainers, s.RunContainers, s.SerializedBytes));
                }
            }
            var report = new StatsReport(db.FolderPath, snapshot.Lsn, stats.Names, rows.Sum(r => r.Values), stats.DataFileBytes, stats.LogBytes,
                stats.CheckpointLsn, stats.CheckpointGeneration, snapshot.Lsn - stats.CheckpointLsn, stats.NamesInMemory, stats.RecoveredRecords, stats.TornBytesDropped,
                parse.GetValue(summary) ? null : rows);
            JsonOutput.Emit(report, parse, json, output, () => Render(report));
            return CommandLineRunner.ExitOk;
        });
        return command;
    }

    private static void Render(StatsReport r)
    {
        AnsiConsole.MarkupLine($"[bold]database[/] {Markup.Escape(r.Database)}: {DbCommand.Count(r.Names)} bitmaps, last commit {r.Lsn}");
        AnsiConsole.MarkupLine($"[bold]on disk[/]: data file {DbCommand.Bytes(r.DataFileBytes)}, log {DbCommand.Bytes(r.LogBytes)}");
        AnsiConsole.MarkupLine($"[bold]last checkpoint[/]: generation {r.CheckpointGeneration} at commit {r.CheckpointLsn}; since then {DbCommand.Count(r.CommitsSinceCheckpoint)} commits in the log, changing {DbCommand.Count(r.NamesChangedSinceCheckpoint)} bitmaps");
        if (r.TornBytesDropped > 0)
        {
            AnsiConsole.MarkupLine($"[bold]opening[/] dropped a torn log tail of {r.TornBytesDropped} bytes (a write cut short; never an acknowledged commit)");
        }
        if (r.Bitmaps is null || r.Bitmaps.Count == 0)
        {
            return;
        }
        var table = new Table().Border(TableBorder.Rounded).AddColumn("name")
            .AddColumn(new TableColumn("values").RightAligned()).AddColumn(new TableColumn("array").RightAligned())
            .AddColumn(new TableColumn("bitset").RightAligned()).AddColumn(new TableColumn("run").RightAligned())
            .AddColumn(new TableColumn("serialized").RightAligned());
        foreach (var row in r.Bitmaps)
        {
            table.AddRow(Markup.Escape(row.Name), DbCommand.Count(row.Values), DbCommand.Count(row.ArrayContainers), DbCommand.Count(row.BitsetContainers),
                DbCommand.Count(row.RunContainers), DbCommand.Bytes(row.SerializedBytes));
        }
        table.AddRow("[bold]all[/]", DbCommand.Count(r.Values), DbCommand.Count(r.Bitmaps.Sum(b => (long)b.ArrayContainers)), DbCommand.Count(r.Bitmaps.Sum(b => (long)b.BitsetContainers)),
            DbCommand.Count(r.Bitmaps.Sum(b => (long)b.RunContainers)), DbCommand.Bytes(r.Bitmaps.Sum(b => b.SerializedBytes)));
        AnsiConsole.Write(table);
    }

    private sealed record NameRow(string Name, long Values, int ArrayContainers, int BitsetContainers, int RunContainers, long SerializedBytes);

    private sealed record StatsReport(string Database, long Lsn, int Names, long Values, long DataFileBytes, long LogBytes, long CheckpointLsn, long CheckpointGeneration,
        long CommitsSinceCheckpoint, int NamesChangedSinceCheckpoint, int RecoveredRecords, long TornBytesDropped, List<NameRow>? Bitmaps);
}
