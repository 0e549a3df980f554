namespace Bitfuse.Isolation.SystemChanges;

/// <summary>One machine-wide change: what, where, the value before (for undo) and after, and why.</summary>
/// <param name="Kind">What the change does.</param>
/// <param name="Target">A path relative to the root, or a task id for <see cref="SystemChangeKind.SetTaskAffinity"/>.</param>
/// <param name="Before">The value before (null for a folder that did not exist).</param>
/// <param name="After">The value after.</param>
/// <param name="Reason">Why, for people.</param>
public sealed record SystemChange(SystemChangeKind Kind, string Target, string? Before, string After, string Reason);
