namespace Bitfuse.Memory;

/// <summary>Settings of an <see cref="Smr"/>.</summary>
public sealed record SmrOptions
{
    /// <summary>The default increment of the write sequence. Sequences stay odd so that 0 can mean "idle".</summary>
    public const long DefaultIncrement = 2;

    /// <summary>The reader/writer trade-off.</summary>
    public SmrMode Mode { get; init; } = SmrMode.Default;

    /// <summary>
    /// The first value of the write sequence (test knob). Must be odd. Start near <see cref="long.MaxValue"/>
    /// together with a huge <see cref="Increment"/> to make the sequence wrap within a test.
    /// </summary>
    public long StartSequence { get; init; } = 1;

    /// <summary>How far one advance moves the write sequence (test knob). Must be even, positive and at most 2^56.</summary>
    public long Increment { get; init; } = DefaultIncrement;

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
    /// A configuration whose write sequence wraps past <see cref="long.MaxValue"/> after a few thousand advances,
    /// so the signed-difference comparisons are exercised across the wrap (FreeBSD's INVARIANTS build does the same).
    /// </summary>
    public static SmrOptions WrapTest(SmrMode mode = SmrMode.Default) => new()
    {
        Mode = mode,
        Increment = 1L << 52,
        StartSequence = long.MaxValue - (1000L << 52),
    };

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
