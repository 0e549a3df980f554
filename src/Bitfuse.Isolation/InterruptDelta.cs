namespace Bitfuse.Isolation;

/// <summary>How often one interrupt source fired on one CPU during an interval.</summary>
public sealed record InterruptDelta(string Name, string Description, long Count);
