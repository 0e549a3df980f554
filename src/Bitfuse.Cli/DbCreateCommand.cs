using System.CommandLine;

namespace Bitfuse.Cli;

/// <summary><c>bitfuse db create</c>: an empty database in a new or empty folder.</summary>
internal static class DbCreateCommand
{
    public static Command Create()
    {
        var folder = DbCommand.Folder();
        var json = DbCommand.Json("the new database's facts");
        var command = new Command("create", "Create an empty database in a new or empty folder.") { folder, json };
        command.SetAction(parse =>
        {
            var path = Path.GetFullPath(parse.GetValue(folder)!);
            if (File.Exists(path) || (Directory.Exists(path) && Directory.EnumerateFileSystemEntries(path).Any()))
            {
                throw new UserException($"'{path}' exists and is not an empty folder; a database is created in a new or empty folder", CommandLineRunner.ExitFailure);
            }
            using var db = DbCommand.Open(path, create: true);
            var stats = db.Statistics;
            if (parse.GetValue(json))
            {
                JsonOutput.Write(new { Database = path, stats.DataFileBytes, stats.LogBytes });
                return CommandLineRunner.ExitOk;
            }
            Console.Out.WriteLine($"created an empty database in {path} ({DbCommand.Bytes(stats.DataFileBytes + stats.LogBytes)} on disk)");
            return CommandLineRunner.ExitOk;
        });
        return command;
    }
}
