namespace Bitfuse.Isolation.Audit;

/// <summary>One row of the checklist: a stable id, a title, and the function that reads the machine and judges.</summary>
public sealed record AuditCheck(string Id, string Title, Func<AuditContext, IEnumerable<Finding>> Evaluate);
