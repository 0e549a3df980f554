namespace Bitfuse.Isolation.Pinning;

/// <summary>One thing done (or refused) while preparing a thread or the machine, and why.</summary>
/// <param name="Action">What was attempted (<c>pin to CPU 3</c>, <c>SCHED_FIFO 50</c>, <c>mlockall</c>).</param>
/// <param name="Done">True when it took effect.</param>
/// <param name="Detail">What happened: the values set, or the reason it was refused.</param>
public sealed record PreparationStep(string Action, bool Done, string Detail);
