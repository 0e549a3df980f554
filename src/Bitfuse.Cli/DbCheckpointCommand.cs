using System.CommandLine;

namespace Bitfuse.Cli;

/// <summary><c>bitfuse db checkpoint</c>: folds the log into the data file.</summary>
internal static class DbCheckpointCommand
{
    public static Command Create()
    {
        var folder = DbCommand.Folder();
        var json = DbCommand.Json("the checkpoint's result");
        var command = new Command("checkpoint", "Fold every commit in the log into the data file and start a new log.") { folder, json };
        command.SetAction(parse =>
        {
            using var db = DbCommand.Open(parse.GetValue(folder)!);
            var before = db.Statistics;
            db.Checkpoint();
            var after = db.Statistics;
            if (parse.GetValue(json))
            {
                JsonOutput.Write(new { Database = db.FolderPath, after.CheckpointGeneration, after.CheckpointLsn, LogBytesBefore = before.LogBytes, after.DataFileBytes, after.LogBytes });
                return CommandLineRunner.ExitOk;
            }
            Console.Out.WriteLine(after.CheckpointGeneration == before.CheckpointGeneration
                ? $"nothing to fold: the data file already holds commit {after.CheckpointLsn}"
                : $"checkpoint generation {after.CheckpointGeneration} holds commit {after.CheckpointLsn}; data file {DbCommand.Bytes(after.DataFileBytes)}, log {DbCommand.Bytes(before.LogBytes)} -> {DbCommand.Bytes(after.LogBytes)}");
            return CommandLineRunner.ExitOk;
        });
        return command;
    }
}
