namespace Bitfuse.Isolation;

/// <summary>One row of an interrupt table: the source, a counter per CPU column, and the description (chip, device).</summary>
public sealed record InterruptRow(string Name, long[] Counts, string Description)
{
    /// <summary>True for numbered device interrupts (as opposed to LOC, RES, CAL, TLB ... or softirq names).</summary>
    public bool IsDevice => Name.Length > 0 && char.IsAsciiDigit(Name[0]);
}
