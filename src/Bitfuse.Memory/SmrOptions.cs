namespace Bitfuse.Memory;

/// <summary>Settings of an <see cref="Smr"/>.</summary>
public sealed record SmrOptions
{
    /// <summary>The default increment of the write sequence. Sequences stay odd so that 0 can mean "idle".</summary>
    internal const long DefaultIncrement = 2;

    /// <summary>The reader/writer trade-off.</summary>
    public SmrMode Mode { get; init; } = SmrMode.Default;

    /// <summary>
    /// The first value of the write sequence (test knob). Must be odd. Start near <see cref="long.MaxValue"/>
    /// together with a huge <see cref="Increment"/> to make the sequence wrap within a test.
    /// </summary>
    internal long StartSequence { get; init; } = 1;

    /// <summary>How far one advance moves the write sequence (test knob). Must be even, positive and at most 2^56.</summary>
    internal long Increment { get; init; } = DefaultIncrement;

    /// <summary>
    /// In <see cref="SmrMode.Deferred"/> mode, how many advances a thread defers before one really moves the
    /// shared write sequence.
    /// </summary>
    public int DeferredAdvanceLimit { get; init; } = 64;

    /// <summary>
    /// Assert the usage rules (no <see cref="Smr.Advance"/> inside a read section, exit on the entering thread).
    /// <see langword="null"/> follows the global switch (<see cref="MemoryDebug.Enabled"/>).
    /// </summary>
    public bool? DebugChecks { get; init; }

    /// <summary>
    /// A configuration whose write sequence wraps past <see cref="long.MaxValue"/> after about a thousand advances,
    /// so the signed-difference comparisons are exercised across the wrap (FreeBSD's INVARIANTS build does the same).
    /// The increment (2^20) still leaves 2^42 advances of room between the oldest live goal and the write sequence.
    /// </summary>
    internal static SmrOptions WrapTest(SmrMode mode = SmrMode.Default) => new()
    {
        Mode = mode,
        Increment = 1L << 20,
        StartSequence = long.MaxValue - (1000L << 20),
    };

    /// <summary>
    /// Test knob for the litmus test's negative control, never set elsewhere: <see cref="Smr.Enter"/> does not
    /// publish its sequence while the section runs, as if the entry store sat in the store buffer past every load
    /// of the section, which is exactly what the fence after the entry store (the poller's barrier in Lazy mode)
    /// rules out. A poll during such a section cannot see the reader.
    /// </summary>
    internal bool EntryStoreWithheld { get; init; }

    internal void Validate()
    {
        if ((StartSequence & 1) == 0)
        {
            throw new ArgumentException($"StartSequence must be odd (0 means idle); got {StartSequence}.", nameof(StartSequence));
        }
        if (Increment <= 0 || (Increment & 1) != 0 || Increment > 1L << 56)
        {
            throw new ArgumentException($"Increment must be even, positive and at most 2^56; got {Increment}.", nameof(Increment));
        }
        if (DeferredAdvanceLimit < 1)
        {
            throw new ArgumentException($"DeferredAdvanceLimit must be at least 1; got {DeferredAdvanceLimit}.", nameof(DeferredAdvanceLimit));
        }
        if (!Enum.IsDefined(Mode))
        {
            throw new ArgumentException($"Unknown mode {Mode}.", nameof(Mode));
        }
    }
}
