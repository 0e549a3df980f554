using System.CommandLine;

namespace Bitfuse.Cli;

/// <summary><c>bitfuse db checkpoint</c>: folds the log into the data file.</summary>
internal static class DbCheckpointCommand
{
    public static Command Create()
    {
        var folder = DbCommand.Folder();
        var json = JsonOutput.Switch("the checkpoint's result");
        var output = JsonOutput.File();
        var command = new Command("checkpoint", "Fold every commit in the log into the data file and start a new log.") { folder, json, output };
        command.SetAction(parse =>
        {
            using var db = DbCommand.Open(parse.GetValue(folder)!);
            var before = db.Statistics;
            db.Checkpoint();
            var after = db.Statistics;
            var report = new CheckpointReport(db.FolderPath, after.CheckpointGeneration, after.CheckpointLsn, before.LogBytes, after.DataFileBytes, after.LogBytes);
            JsonOutput.Emit(report, parse, json, output, () => Console.Out.WriteLine(after.CheckpointGeneration == before.CheckpointGeneration
                ? $"nothing to fold: the data file already holds commit {after.CheckpointLsn}"
                : $"checkpoint generation {after.CheckpointGeneration} holds commit {after.CheckpointLsn}; data file {DbCommand.Bytes(after.DataFileBytes)}, log {DbCommand.Bytes(before.LogBytes)} -> {DbCommand.Bytes(after.LogBytes)}"));
            return CommandLineRunner.ExitOk;
        });
        return command;
    }

    private sealed record CheckpointReport(string Database, long CheckpointGeneration, long CheckpointLsn, long LogBytesBefore, long DataFileBytes, long LogBytes);
}
