using System.Globalization;

namespace Bitfuse.Isolation;

/// <summary>
/// A snapshot of <c>/proc/interrupts</c> or <c>/proc/softirqs</c>: one row per source with a counter per
/// CPU column. Rows with fewer counters than CPUs (<c>ERR</c>, <c>MIS</c>) keep what they have.
/// </summary>
public sealed class InterruptTable
{
    private InterruptTable(IReadOnlyList<int> cpus, IReadOnlyList<InterruptRow> rows)
    {
        Cpus = cpus;
        Rows = rows;
    }

    /// <summary>The CPU of each counter column, in order.</summary>
    public IReadOnlyList<int> Cpus { get; }

    /// <summary>The rows in file order.</summary>
    public IReadOnlyList<InterruptRow> Rows { get; }

    /// <summary>An empty table (the file was missing).</summary>
    public static InterruptTable Empty { get; } = new([], []);

    /// <summary>Parses the text of <c>/proc/interrupts</c> or <c>/proc/softirqs</c>.</summary>
    /// <exception cref="FormatException">The header has no CPU columns.</exception>
    public static InterruptTable Parse(string text)
    {
        var lines = text.Split('\n');
        if (lines.Length == 0 || !lines[0].TrimStart().StartsWith("CPU", StringComparison.Ordinal))
        {
            throw new FormatException("interrupt table: the first line must name the CPU columns (CPU0 CPU1 ...)");
        }
        var cpus = new List<int>();
        foreach (var column in lines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (!column.StartsWith("CPU", StringComparison.Ordinal) || !int.TryParse(column.AsSpan(3), NumberStyles.None, CultureInfo.InvariantCulture, out var cpu))
            {
                throw new FormatException($"interrupt table: header column '{column}' is not CPUn");
            }
            cpus.Add(cpu);
        }
        var rows = new List<InterruptRow>();
        for (var l = 1; l < lines.Length; l++)
        {
            var line = lines[l];
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon < 0)
            {
                continue;
            }
            var name = line[..colon].Trim();
            var fields = line[(colon + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var counts = new List<long>(cpus.Count);
            var f = 0;
            for (; f < fields.Length && counts.Count < cpus.Count; f++)
            {
                if (!long.TryParse(fields[f], NumberStyles.None, CultureInfo.InvariantCulture, out var count))
                {
                    break;
                }
                counts.Add(count);
            }
            rows.Add(new InterruptRow(name, [.. counts], string.Join(' ', fields.Skip(f))));
        }
        return new InterruptTable(cpus, rows);
    }

    /// <summary>Reads and parses a table under <paramref name="root"/>; empty when the file is missing or malformed.</summary>
    public static InterruptTable Read(SystemRoot root, string relative)
    {
        var text = root.ReadText(relative);
        if (text is null)
        {
            return Empty;
        }
        try
        {
            return Parse(text);
        }
        catch (FormatException)
        {
            return Empty;
        }
    }

    /// <summary>The counter of row <paramref name="name"/> on <paramref name="cpu"/>, or 0.</summary>
    public long Count(string name, int cpu)
    {
        var column = IndexOfCpu(cpu);
        if (column < 0)
        {
            return 0;
        }
        foreach (var row in Rows)
        {
            if (row.Name == name)
            {
                return column < row.Counts.Length ? row.Counts[column] : 0;
            }
        }
        return 0;
    }

    /// <summary>The column of <paramref name="cpu"/>, or -1.</summary>
    public int IndexOfCpu(int cpu)
    {
        for (var i = 0; i < Cpus.Count; i++)
        {
            if (Cpus[i] == cpu)
            {
                return i;
            }
        }
        return -1;
    }

    /// <summary>Per row, how much the counter of <paramref name="cpu"/> grew from <paramref name="before"/> to this snapshot (rows that grew only).</summary>
    public IReadOnlyList<InterruptDelta> DeltasSince(InterruptTable before, int cpu)
    {
        var column = IndexOfCpu(cpu);
        var oldColumn = before.IndexOfCpu(cpu);
        var deltas = new List<InterruptDelta>();
        if (column < 0)
        {
            return deltas;
        }
        var old = new Dictionary<string, long>(StringComparer.Ordinal);
        if (oldColumn >= 0)
        {
            foreach (var row in before.Rows)
            {
                if (oldColumn < row.Counts.Length)
                {
                    old[row.Name] = row.Counts[oldColumn];
                }
            }
        }
        foreach (var row in Rows)
        {
            if (column >= row.Counts.Length)
            {
                continue;
            }
            var delta = row.Counts[column] - old.GetValueOrDefault(row.Name);
            if (delta > 0)
            {
                deltas.Add(new InterruptDelta(row.Name, row.Description, delta));
            }
        }
        return deltas;
    }
}
