namespace Bitfuse.Persistence.Crash;

/// <summary>What one change of a workload transaction does.</summary>
public enum WorkloadOpKind
{
    Add,
    Remove,
    Set,
    Delete,
}

/// <summary>One change of a workload transaction (no values for a delete).</summary>
public sealed record WorkloadOp(WorkloadOpKind Kind, string Name, uint[] Values);

/// <summary>One step of a workload: a transaction to commit, or a checkpoint (when <see cref="Ops"/> is null).</summary>
public sealed record WorkloadStep(IReadOnlyList<WorkloadOp>? Ops)
{
    public bool IsCheckpoint => Ops is null;
}

/// <summary>
/// Random transactions (adds, removes, sets, deletes over a few names, with sparse, dense and run-shaped
/// values) and checkpoints, the same for every process that generates them from the same seed: the crash
/// child runs them, the parent models them.
/// </summary>
public static class Workload
{
    private static readonly string[] Names = ["a", "b:1", "c-2", "d.3", "e", "f:g"];

    /// <summary><paramref name="transactions"/> transactions with checkpoints among them, from <paramref name="seed"/>.</summary>
    public static List<WorkloadStep> Generate(int seed, int transactions)
    {
        var random = new Random(seed);
        var steps = new List<WorkloadStep>();
        while (steps.Count(s => !s.IsCheckpoint) < transactions)
        {
            if (random.Next(8) == 0)
            {
                steps.Add(new WorkloadStep(null));
                continue;
            }
            var ops = new List<WorkloadOp>();
            for (var n = random.Next(1, 4); n > 0; n--)
            {
                var name = Names[random.Next(Names.Length)];
                var roll = random.Next(100);
                var kind = roll < 45 ? WorkloadOpKind.Add : roll < 75 ? WorkloadOpKind.Remove : roll < 92 ? WorkloadOpKind.Set : WorkloadOpKind.Delete;
                ops.Add(new WorkloadOp(kind, name, kind == WorkloadOpKind.Delete ? [] : RandomValues(random)));
            }
            steps.Add(new WorkloadStep(ops));
        }
        return steps;
    }

    /// <summary>The transactions of <paramref name="steps"/>, in order (checkpoints left out).</summary>
    public static List<IReadOnlyList<WorkloadOp>> Transactions(IEnumerable<WorkloadStep> steps) =>
        steps.Where(s => !s.IsCheckpoint).Select(s => s.Ops!).ToList();

    /// <summary>Records <paramref name="ops"/> in <paramref name="transaction"/> (not committed).</summary>
    public static void Record(WriteTransaction transaction, IReadOnlyList<WorkloadOp> ops)
    {
        foreach (var op in ops)
        {
            switch (op.Kind)
            {
                case WorkloadOpKind.Add:
                    transaction.Add(op.Name, op.Values);
                    break;
                case WorkloadOpKind.Remove:
                    transaction.Remove(op.Name, op.Values);
                    break;
                case WorkloadOpKind.Set:
                    using (var bitmap = Bitmap.FromValues(op.Values))
                    {
                        transaction.Set(op.Name, bitmap);
                    }
                    break;
                default:
                    transaction.Delete(op.Name);
                    break;
            }
        }
    }

    /// <summary>Commits <paramref name="ops"/> as one transaction.</summary>
    public static void Commit(Database database, IReadOnlyList<WorkloadOp> ops)
    {
        using var transaction = database.BeginWrite();
        Record(transaction, ops);
        transaction.Commit();
    }

    /// <summary>Values over 6 keys: sparse (array), dense (bitset) or a run.</summary>
    private static uint[] RandomValues(Random random)
    {
        var key = (uint)random.Next(6) << 16;
        return random.Next(6) switch
        {
            < 3 => Enumerable.Range(0, random.Next(1, 40)).Select(_ => key + (uint)random.Next(65536)).ToArray(),
            3 => Enumerable.Range(0, random.Next(4200, 5000)).Select(_ => key + (uint)random.Next(65536)).ToArray(),
            _ => Enumerable.Range(random.Next(60000), random.Next(1, 3000)).Select(i => key + (uint)i).ToArray(),
        };
    }
}
