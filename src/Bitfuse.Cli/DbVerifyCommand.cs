using System.CommandLine;

namespace Bitfuse.Cli;

/// <summary><c>bitfuse db verify</c>: every checksum and structure; exit 1 with the problems listed when there are any.</summary>
internal static class DbVerifyCommand
{
    public static Command Create()
    {
        var folder = DbCommand.Folder();
        var json = JsonOutput.Switch("the problems found");
        var output = JsonOutput.File();
        var command = new Command("verify", "Check every checksum and structure of a database: the meta pages, the log, the directory and every stored bitmap. Exit 1 when anything is wrong.")
        {
            folder, json, output,
        };
        command.SetAction(parse =>
        {
            var path = Path.GetFullPath(parse.GetValue(folder)!);
            var problems = new List<Problem>();
            var bitmaps = 0;
            try
            {
                // Opening checks the meta pages, the directory's checksum and every log record since the checkpoint; Verify
                // checks the directory entry by entry and every bitmap frame it lists.
                using var db = DbCommand.Open(path);
                using (var snapshot = db.Snapshot())
                {
                    bitmaps = snapshot.Count;
                }
                problems.AddRange(db.Verify().Select(Problem.Of));
            }
            catch (DatabaseCorruptException e)
            {
                problems.Add(Problem.Of(e));
            }
            JsonOutput.Emit(new VerifyReport(path, problems.Count == 0, bitmaps, problems), parse, json, output, () =>
            {
                if (problems.Count == 0)
                {
                    Console.Out.WriteLine($"{path}: {DbCommand.Count(bitmaps)} bitmaps, every checksum and structure sound");
                }
                foreach (var p in problems)
                {
                    CommandLineRunner.WriteError($"'{p.File}' is corrupt at byte offset {p.Offset}: {p.Description}");
                }
            });
            return problems.Count == 0 ? CommandLineRunner.ExitOk : CommandLineRunner.ExitFailure;
        });
        return command;
    }

    private sealed record VerifyReport(string Database, bool Ok, int Bitmaps, List<Problem> Problems);

    private sealed record Problem(string File, long Offset, string Description)
    {
        public static Problem Of(DatabaseCorruptException e) => new(e.FilePath, e.Offset, e.Problem);
    }
}
