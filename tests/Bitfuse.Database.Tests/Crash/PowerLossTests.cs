using Bitfuse.Persistence.Crash;

namespace Bitfuse.Persistence.Tests.Crash;

/// <summary>
/// Power loss through the IO seam: rounds of open, random workload and checkpoints, with the power cut at a
/// random call (also inside open, that is, during recovery); the folder is then rewritten as a disk could hold
/// it (synced bytes kept, unsynced writes kept, dropped or torn at 512-byte sectors, unsynced creates, renames
/// and deletes undone at random). Each open must hold every acknowledged commit and be a prefix of the commits.
/// </summary>
public sealed class PowerLossTests
{
    public static TheoryData<int> Seeds => CrashSettings.Seeds(1, 2, 3, 4, 5, 6, 7, 8);

    [Theory]
    [MemberData(nameof(Seeds))]
    public void After_each_power_loss_recovery_holds_every_acknowledged_commit_and_a_prefix_of_the_commits(int seed)
    {
        using var folder = new TempFolder();
        var path = folder.Db();
        var before = Path.Combine(folder.Path, "before");
        var random = new Random(seed);
        List<ModelState> candidates = [new ModelState()];
        var acknowledged = 0L;
        for (var round = 0; round < 14; round++)
        {
            if (Directory.Exists(path))
            {
                CrashCase.CopyFolder(path, before);
            }
            var transactions = random.Next(3, 12);
            var io = new FaultyDatabaseIO(random.Next()) { PowerOffAtCall = random.Next(4 * transactions + 30) };
            var steps = Workload.Generate(random.Next(), transactions);
            var where = $"round {round}: power off at call {io.PowerOffAtCall}";
            Database? database = null;
            var state = (ModelState?)null;
            var done = 0;
            try
            {
                database = Database.Open(path, new DatabaseOptions { IO = io, CheckpointLogBytes = 0 });
                state = Expect(RecoveryCheck.Compare(database, candidates), seed, where + ", at open", path, before, candidates);
                foreach (var step in steps)
                {
                    if (step.IsCheckpoint)
                    {
                        database.Checkpoint();
                        continue;
                    }
                    Workload.Commit(database, step.Ops!);
                    done++;
                    acknowledged++;
                }
            }
            catch (IOException e) when (io.PoweredOff)
            {
                // The power went off: whatever the database reported, it stopped there.
                _ = e;
            }
            catch (Exception e) when (e is not Xunit.Sdk.XunitException)
            {
                Assert.Fail(Keep(seed, where, $"unexpected {e.GetType().Name} before the power went off: {e}", path, before, candidates));
            }
            finally
            {
                try
                {
                    database?.Dispose();
                }
                catch (IOException) when (io.PoweredOff)
                {
                }
            }
            io.PowerOff();
            if (state is not null)
            {
                // Every acknowledged commit of the round, and perhaps the one in flight when the power went off.
                var ops = Workload.Transactions(steps);
                candidates = state.Through(ops.Take(Math.Min(done + 1, ops.Count))).Skip(done).ToList();
            }
        }
        Expect(RecoveryCheck.Run(path, candidates), seed, "the final open", path, null, candidates);
        Assert.True(acknowledged > 0, "no commit was acknowledged in any round");
    }

    private static ModelState Expect(RecoveryOutcome outcome, int seed, string where, string database, string? before, List<ModelState> candidates)
    {
        if (outcome.Problem is not null)
        {
            Assert.Fail(Keep(seed, where, outcome.Problem, database, before, candidates));
        }
        return outcome.State!;
    }

    private static string Keep(int seed, string where, string problem, string database, string? before, List<ModelState> candidates)
    {
        var folder = CrashCase.Keep("power-loss", seed, where, problem, database, before, candidates);
        return CrashCase.Describe(folder, seed, $"{where}: {problem}");
    }
}
