using Bitfuse.Memory;

namespace Bitfuse.Persistence.Tests;

[CollectionDefinition(nameof(ReplacedContainerMemoryTests), DisableParallelization = true)]
public sealed class ReplacedContainerMemoryCollection;

/// <summary>
/// The containers a commit replaces go back to the container zones once no version holds them: the memory in use
/// stays flat however many commits land. Counted in the zones themselves (not in the database's own accounting,
/// which a free that returns nothing would not contradict), alone, so no other test's containers are counted.
/// </summary>
[Collection(nameof(ReplacedContainerMemoryTests))]
public sealed class ReplacedContainerMemoryTests
{
    [Fact]
    public void Commits_that_replace_containers_free_the_old_ones_for_reuse()
    {
        using var folder = new TempFolder();
        using var database = Database.Open(folder.Db(), new DatabaseOptions { CheckpointLogBytes = 0 });
        // Four keys, each a bitset (half of every key's values), so every commit below copies and replaces a bitset.
        var dense = Enumerable.Range(0, 4 << 16).Where(v => v % 2 == 0).Select(v => (uint)v).ToArray();
        using (var tx = database.BeginWrite())
        {
            tx.Add("dense", dense);
            tx.Commit();
        }
        var odd = Enumerable.Range(0, 100).Select(i => (uint)(i * 2611 + 1) % (4u << 16) | 1u).Distinct().ToArray();
        Array.Sort(odd);
        void AddAndRemove()
        {
            using (var tx = database.BeginWrite())
            {
                tx.Add("dense", odd);
                tx.Commit();
            }
            using (var tx = database.BeginWrite())
            {
                tx.Remove("dense", odd);
                tx.Commit();
            }
        }
        AddAndRemove();
        var before = ContainerItemsInUse();
        const int Rounds = 200;
        for (var i = 0; i < Rounds; i++)
        {
            AddAndRemove();
        }
        var grown = ContainerItemsInUse() - before;

        using var snapshot = database.Snapshot();
        Assert.Equal(dense, snapshot["dense"].ToArray());
        // Each of the 400 commits replaced four bitsets; had one of them stayed allocated, the count would have grown by 400 or more.
        Assert.True(grown <= 8, $"{grown} more container payloads in use after {2 * Rounds} commits that each replace four");
        Assert.Equal(0, database.Statistics.RetainedContainerBytes);
    }

    private static long ContainerItemsInUse() =>
        ZoneRegistry.Snapshot().Where(z => z.Name.StartsWith("bitmap-", StringComparison.Ordinal)).Sum(z => z.GetStatistics().ItemsInUse);
}
