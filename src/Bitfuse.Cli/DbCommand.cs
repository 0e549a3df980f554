using System.CommandLine;
using System.Globalization;

namespace Bitfuse.Cli;

/// <summary>
/// <c>bitfuse db</c>: the verbs over a persistent database (a folder), one file each, and what they share:
/// the <c>--db</c> option, opening, and the number and size formats of their closing lines.
/// </summary>
internal static class DbCommand
{
    public static Command Create()
    {
        var command = new Command("db", "Create, fill, query, inspect, verify and export a persistent bitmap database (a folder).");
        command.Subcommands.Add(DbCreateCommand.Create());
        command.Subcommands.Add(DbImportCommand.Create());
        command.Subcommands.Add(DbAddCommand.Create(remove: false));
        command.Subcommands.Add(DbAddCommand.Create(remove: true));
        command.Subcommands.Add(DbQueryCommand.Create());
        command.Subcommands.Add(DbStatsCommand.Create());
        command.Subcommands.Add(DbVerifyCommand.Create());
        command.Subcommands.Add(DbCheckpointCommand.Create());
        command.Subcommands.Add(DbExportCommand.Create());
        return command;
    }

    /// <summary>The <c>--db DIR</c> option every verb takes.</summary>
    public static Option<string> Folder() => new("--db") { Description = "The database folder.", HelpName = "DIR", Required = true };

    /// <summary>Opens the database in <paramref name="folder"/>; it must exist unless <paramref name="create"/>.</summary>
    public static Database Open(string folder, bool create = false) =>
        Database.Open(folder, new DatabaseOptions { CreateIfMissing = create });

    /// <summary>Runs <paramref name="work"/>, turning an unknown bitmap name into a usage error.</summary>
    public static T NamesChecked<T>(Func<T> work)
    {
        try
        {
            return work();
        }
        catch (UnknownBitmapException e)
        {
            throw new UserException(e.Message);
        }
    }

    /// <summary>Bytes for reading: B, KiB, MiB, GiB.</summary>
    public static string Bytes(long bytes) => bytes switch
    {
        >= 1L << 30 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 30):F2} GiB"),
        >= 1L << 20 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 20):F1} MiB"),
        >= 1L << 10 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:F1} KiB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes} B"),
    };

    /// <summary>A count with thousands separators.</summary>
    public static string Count(long n) => n.ToString("N0", CultureInfo.InvariantCulture);
}
