using System.CommandLine;
using System.Globalization;

namespace Bitfuse.Cli;

/// <summary><c>bitfuse db add</c> and <c>bitfuse db remove</c>: one durable commit of values into or out of one bitmap.</summary>
internal static class DbAddCommand
{
    public static Command Create(bool remove)
    {
        var folder = DbCommand.Folder();
        var name = new Argument<string>("name") { Description = "The bitmap's name." };
        var values = new Argument<string[]>("values") { Description = "Values (unsigned 32-bit), separated by spaces or commas.", Arity = ArgumentArity.OneOrMore };
        var json = JsonOutput.Switch("what was committed");
        var output = JsonOutput.File();
        var command = new Command(remove ? "remove" : "add", remove
            ? "Remove values from a bitmap in one durable commit (nothing when the name is unknown)."
            : "Add values to a bitmap (created when new) in one durable commit; creates the database when absent.")
        {
            folder, name, values, json, output,
        };
        command.SetAction(parse =>
        {
            var parsed = Parse(parse.GetValue(values)!);
            var bitmap = parse.GetValue(name)!;
            using var db = DbCommand.Open(parse.GetValue(folder)!, create: !remove);
            using (var tx = db.BeginWrite())
            {
                if (remove)
                {
                    tx.Remove(bitmap, parsed);
                }
                else
                {
                    tx.Add(bitmap, parsed);
                }
                tx.Commit();
            }
            using var snapshot = db.Snapshot();
            var count = snapshot.Contains(bitmap) ? snapshot[bitmap].Count : 0;
            var report = new CommitReport(bitmap, remove ? "remove" : "add", parsed.Length, snapshot.Lsn, count);
            JsonOutput.Emit(report, parse, json, output, () =>
                Console.Out.WriteLine($"{(remove ? "removed" : "added")} {DbCommand.Count(parsed.Length)} values {(remove ? "from" : "to")} '{bitmap}' in commit {report.Lsn}; it holds {DbCommand.Count(count)} values"));
            return CommandLineRunner.ExitOk;
        });
        return command;
    }

    private static uint[] Parse(string[] arguments)
    {
        var values = new List<uint>();
        foreach (var argument in arguments)
        {
            foreach (var token in argument.Split([',', ' '], StringSplitOptions.RemoveEmptyEntries))
            {
                if (!uint.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out var value))
                {
                    throw new UserException($"'{token}' is not an unsigned 32-bit integer (0 to 4294967295)");
                }
                values.Add(value);
            }
        }
        if (values.Count == 0)
        {
            throw new UserException("give at least one value");
        }
        return [.. values];
    }

    private sealed record CommitReport(string Name, string Operation, int Values, long Lsn, long Cardinality);
}
