using System.Globalization;
using System.Runtime.InteropServices;

namespace Bitfuse.Persistence.Crash;

/// <summary>
/// The crash child.
/// <c>run FOLDER SEED TRANSACTIONS POINT HIT</c>: opens the database in FOLDER, runs the workload of SEED
/// (background checkpoints on, at a small log size), and prints <c>OPEN</c> once open, <c>ACK i</c> when
/// transaction i's commit returned and <c>DONE</c> at the end. When POINT is a crash point name (not
/// <c>-</c>), the process kills itself with SIGKILL the HIT-th time it passes that point.
/// <c>check CASE</c>: reopens a copy of a kept case's files and checks them again (exit 1: the problem is back).
/// </summary>
internal static partial class Program
{
    private const int SigKill = 9;

    private static int Main(string[] args)
    {
        try
        {
            return args switch
            {
                ["run", var folder, var seed, var transactions, var point, var hit] =>
                    Run(folder, Parse(seed), Parse(transactions), point == "-" ? null : point, Parse(hit)),
                ["check", var folder] => Check(folder),
                _ => Usage(),
            };
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"ERROR {e}");
            return 2;
        }
    }

    private static int Run(string folder, int seed, int transactions, string? point, int hit)
    {
        var hits = 0;
        var options = new DatabaseOptions
        {
            CheckpointLogBytes = 48 << 10,
            CrashPoint = point is null ? null : at =>
            {
                if (at == point && Interlocked.Increment(ref hits) == hit && Kill(Environment.ProcessId, SigKill) != 0)
                {
                    throw new InvalidOperationException($"kill(SIGKILL) of this process failed at {point}");
                }
            },
        };
        using var database = Database.Open(folder, options);
        Console.Out.WriteLine("OPEN");
        var acknowledged = 0;
        foreach (var step in Workload.Generate(seed, transactions))
        {
            if (step.IsCheckpoint)
            {
                database.Checkpoint();
                continue;
            }
            Workload.Commit(database, step.Ops!);
            Console.Out.WriteLine($"ACK {acknowledged++}");
        }
        Console.Out.WriteLine("DONE");
        return 0;
    }

    private static int Check(string caseFolder)
    {
        var kept = CrashCase.Load(caseFolder);
        var copy = Path.Combine(Path.GetTempPath(), "bitfuse-crash-check-" + Guid.NewGuid().ToString("N"));
        CrashCase.CopyFolder(Path.Combine(caseFolder, "db"), copy);
        try
        {
            Console.WriteLine($"case: {kept.Test}, seed {kept.Seed}, {kept.Where}");
            Console.WriteLine($"kept problem: {kept.Problem}");
            var outcome = RecoveryCheck.Run(copy, kept.Candidates);
            Console.WriteLine(outcome.Problem is null ? $"now: recovers to LSN {outcome.State!.Lsn} as expected" : $"now: {outcome.Problem}");
            return outcome.Problem is null ? 0 : 1;
        }
        finally
        {
            Directory.Delete(copy, recursive: true);
        }
    }

    private static int Usage()
    {
        Console.Error.WriteLine("usage: run FOLDER SEED TRANSACTIONS POINT|- HIT | check CASE-FOLDER");
        return 2;
    }

    private static int Parse(string text) => int.Parse(text, CultureInfo.InvariantCulture);

    [LibraryImport("libc", EntryPoint = "kill")]
    private static partial int Kill(int pid, int signal);
}
