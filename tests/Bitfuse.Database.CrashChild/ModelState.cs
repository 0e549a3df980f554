namespace Bitfuse.Persistence.Crash;

/// <summary>
/// What a database should hold after some commits: each name and its values as a sorted set. The crash
/// harness keeps one per commit that may have reached the disk and checks a recovered database against them.
/// </summary>
public sealed class ModelState
{
    public ModelState()
    {
    }

    public ModelState(long lsn, SortedDictionary<string, SortedSet<uint>> names)
    {
        Lsn = lsn;
        Names = names;
    }

    /// <summary>The commit this state follows (0: none).</summary>
    public long Lsn { get; set; }

    public SortedDictionary<string, SortedSet<uint>> Names { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The state after committing <paramref name="ops"/> on top of this one (this one is unchanged).</summary>
    public ModelState After(IReadOnlyList<WorkloadOp> ops)
    {
        var names = new SortedDictionary<string, SortedSet<uint>>(StringComparer.Ordinal);
        foreach (var (name, values) in Names)
        {
            names[name] = values;
        }
        foreach (var op in ops)
        {
            switch (op.Kind)
            {
                case WorkloadOpKind.Add:
                    names[op.Name] = names.TryGetValue(op.Name, out var old) ? [.. old, .. op.Values] : [.. op.Values];
                    break;
                case WorkloadOpKind.Remove:
                    if (names.TryGetValue(op.Name, out var from))
                    {
                        var left = new SortedSet<uint>(from);
                        left.ExceptWith(op.Values);
                        names[op.Name] = left;
                    }
                    break;
                case WorkloadOpKind.Set:
                    names[op.Name] = [.. op.Values];
                    break;
                default:
                    names.Remove(op.Name);
                    break;
            }
        }
        return new ModelState(Lsn + 1, names);
    }

    /// <summary>The states after each of <paramref name="transactions"/> in turn, this one first.</summary>
    public List<ModelState> Through(IEnumerable<IReadOnlyList<WorkloadOp>> transactions)
    {
        var states = new List<ModelState> { this };
        foreach (var ops in transactions)
        {
            states.Add(states[^1].After(ops));
        }
        return states;
    }

    /// <summary>The first difference between this state and <paramref name="snapshot"/>, or null when they hold the same.</summary>
    public string? DifferenceFrom(Snapshot snapshot)
    {
        var names = snapshot.Names.ToArray();
        if (!names.SequenceEqual(Names.Keys))
        {
            return $"names [{string.Join(", ", names)}], expected [{string.Join(", ", Names.Keys)}]";
        }
        foreach (var (name, values) in Names)
        {
            var actual = snapshot[name].ToArray();
            if (!actual.AsSpan().SequenceEqual(values.ToArray()))
            {
                var missing = values.Except(actual).Take(5);
                var extra = actual.Except(values).Take(5);
                return $"'{name}' holds {actual.Length} values, expected {values.Count} (missing e.g. [{string.Join(", ", missing)}], extra e.g. [{string.Join(", ", extra)}])";
            }
        }
        return null;
    }
}
