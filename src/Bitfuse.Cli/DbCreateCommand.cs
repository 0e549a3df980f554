using System.CommandLine;

namespace Bitfuse.Cli;

/// <summary><c>bitfuse db create</c>: an empty database in a new or empty folder.</summary>
internal static class DbCreateCommand
{
    public static Command Create()
    {
        var folder = DbCommand.Folder();
        var json = JsonOutput.Switch("the new database's facts");
        var output = JsonOutput.File();
        var command = new Command("create", "Create an empty database in a new or empty folder.") { folder, json, output };
        command.SetAction(parse =>
        {
            var path = Path.GetFullPath(parse.GetValue(folder)!);
            if (File.Exists(path) || (Directory.Exists(path) && Directory.EnumerateFileSystemEntries(path).Any()))
            {
                throw new UserException($"'{path}' exists and is not an empty folder; a database is created in a new or empty folder", CommandLineRunner.ExitFailure);
            }
            using var db = DbCommand.Open(path, create: true);
            var stats = db.Statistics;
            var report = new CreateReport(path, stats.DataFileBytes, stats.LogBytes);
            JsonOutput.Emit(report, parse, json, output, () =>
                Console.Out.WriteLine($"created an empty database in {path} ({DbCommand.Bytes(report.DataFileBytes + report.LogBytes)} on disk)"));
            return CommandLineRunner.ExitOk;
        });
        return command;
    }

    private sealed record CreateReport(string Database, long DataFileBytes, long LogBytes);
}
