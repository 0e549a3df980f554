namespace Bitfuse.Isolation.Audit;

/// <summary>The audit of one machine for a set of chosen CPUs.</summary>
/// <param name="Root">The root the files were read from (<c>/</c> for this machine).</param>
/// <param name="Cpus">The CPUs audited.</param>
/// <param name="CpusChosenBy">Why these CPUs (given on the command line, the isolated set, ...).</param>
/// <param name="Kernel">The kernel release, when known.</param>
/// <param name="Items">Every verdict, in checklist order.</param>
public sealed record AuditReport(string Root, CpuSet Cpus, string CpusChosenBy, string? Kernel, IReadOnlyList<AuditItem> Items)
{
    /// <summary>How many items have <paramref name="verdict"/>.</summary>
    public int Count(Verdict verdict)
    {
        var count = 0;
        foreach (var item in Items)
        {
            if (item.Verdict == verdict)
            {
                count++;
            }
        }
        return count;
    }

    /// <summary>The first item with <paramref name="id"/> (and <paramref name="cpu"/>, for per-CPU items).</summary>
    /// <exception cref="KeyNotFoundException">No such item.</exception>
    public AuditItem Item(string id, int? cpu = null)
    {
        foreach (var item in Items)
        {
            if (item.Id == id && (cpu is null || item.Cpu == cpu))
            {
                return item;
            }
        }
        throw new KeyNotFoundException($"the audit has no item '{id}'{(cpu is null ? "" : $" for CPU {cpu}")}");
    }

    /// <summary>One line: counts per verdict.</summary>
    public string Summary =>
        $"CPUs {Cpus} ({CpusChosenBy}): {Count(Verdict.Ok)} ok, {Count(Verdict.Warn)} warn, {Count(Verdict.Fail)} fail, {Count(Verdict.CannotVerify)} cannot verify";
}
