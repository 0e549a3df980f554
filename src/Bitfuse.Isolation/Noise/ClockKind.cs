namespace Bitfuse.Isolation.Noise;

/// <summary>Which timestamp the noise loop reads.</summary>
public enum ClockKind
{
    /// <summary>The time-stamp counter through <c>rdtsc</c> machine code (a few ns per read).</summary>
    Rdtsc,

    /// <summary><see cref="System.Diagnostics.Stopwatch"/> (vDSO <c>clock_gettime</c>, tens of ns per read).</summary>
    Stopwatch,
}
