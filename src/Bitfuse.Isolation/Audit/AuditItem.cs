namespace Bitfuse.Isolation.Audit;

/// <summary>One verdict of the audit: which check, on which CPU (null for machine-wide items), why, and what to do.</summary>
/// <param name="Id">Stable check id (<c>boot.nohz_full</c>, <c>irq.affinity</c>).</param>
/// <param name="Title">What the check looks at, for people.</param>
/// <param name="Verdict">The verdict.</param>
/// <param name="Reason">What was found, with the values read.</param>
/// <param name="Hint">How to fix it, when there is something to fix.</param>
/// <param name="Cpu">The CPU the item is about, or null for machine-wide items.</param>
public sealed record AuditItem(string Id, string Title, Verdict Verdict, string Reason, string? Hint, int? Cpu);
