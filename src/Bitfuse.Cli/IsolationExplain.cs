using System.Globalization;
using Bitfuse.Isolation.Audit;
using Bitfuse.Isolation.Noise;
using Spectre.Console;

namespace Bitfuse.Cli;

/// <summary><c>bitfuse isolation noise --explain</c>: the top causes of each CPU's noise, their shares, what removes each, and the audit's verdict on it.</summary>
internal static class IsolationExplain
{
    private const int TopCauses = 6;

    public static void Render(IAnsiConsole console, NoiseReport report)
    {
        foreach (var cpu in report.Cpus)
        {
            if (cpu.Causes.Count == 0)
            {
                console.MarkupLine(Markup.Escape(cpu.Gaps == 0
                    ? $"CPU {cpu.Cpu}: no gap over the threshold, nothing to explain"
                    : $"CPU {cpu.Cpu}: the gaps were not attributed ({report.Attribution.KernelUnavailable ?? "attribution is off"})"));
                continue;
            }
            console.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
                $"CPU {cpu.Cpu}: {cpu.NoiseNsPerSecond:F0} ns/s of noise; the top causes of the {cpu.Events.Count:N0} gaps kept ({cpu.AttributedPercent:F1} % of their time named):")));
            // By kind first: on a busy machine many small causes of one kind (other tasks) add up.
            var kinds = cpu.Causes.GroupBy(c => c.Kind).Select(g => (Kind: g.Key, Share: g.Sum(c => c.SharePercent), Causes: g.Count()))
                .OrderByDescending(k => k.Share).Select(k => string.Create(CultureInfo.InvariantCulture, $"{k.Kind} {k.Share:F1} %{(k.Causes > 1 ? $" ({k.Causes} causes)" : "")}"));
            console.MarkupLine(Markup.Escape("  by kind: " + string.Join(", ", kinds)));
            var rank = 0;
            var advised = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var cause in cpu.Causes.Take(TopCauses))
            {
                rank++;
                console.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
                    $"  {rank}. {cause.Name}: {cause.SharePercent:F1} % ({cause.Gaps:N0} gaps, {IsolationArguments.FormatNs(cause.TotalNs)} in all, p99 {IsolationArguments.FormatNs(cause.P99Ns)}, max {IsolationArguments.FormatNs(cause.MaxNs)})")));
                if (cause.Details.Count > 0)
                {
                    console.MarkupLine("     [grey]seen with:[/] " + Markup.Escape(string.Join("; ", cause.Details)));
                }
                if (advised.TryGetValue(cause.Advice, out var first))
                {
                    console.MarkupLine(Markup.Escape($"     fix: as for {first}."));
                    continue;
                }
                advised[cause.Advice] = rank;
                console.MarkupLine("     [green]fix:[/] " + Markup.Escape(cause.Advice));
                if (Verdicts(report.Audit, cause.AuditChecks, cpu.Cpu) is { Length: > 0 } verdicts)
                {
                    console.MarkupLine("     [grey]audit:[/] " + Markup.Escape(verdicts));
                }
            }
            if (cpu.Causes.Count > TopCauses)
            {
                console.MarkupLine(Markup.Escape($"  ... and {cpu.Causes.Count - TopCauses} smaller causes"));
            }
        }
    }

    /// <summary>The audit's verdicts on <paramref name="checks"/> (for this CPU or machine-wide): <c>irq.affinity fail (3 of 20 IRQs ...)</c>.</summary>
    private static string Verdicts(AuditReport? audit, IReadOnlyList<string> checks, int cpu)
    {
        if (audit is null || checks.Count == 0)
        {
            return "";
        }
        var parts = new List<string>();
        foreach (var id in checks)
        {
            foreach (var item in audit.Items)
            {
                if (item.Id == id && (item.Cpu is null || item.Cpu == cpu))
                {
                    parts.Add($"{id} {item.Verdict.ToString().ToLowerInvariant()} ({item.Reason})");
                    break;
                }
            }
        }
        return string.Join("; ", parts);
    }
}
