namespace Bitfuse.Isolation.Noise;

/// <summary>What the kernel counted on one CPU over a span: interrupts, softirqs, context switches of the spinning thread, steal.</summary>
public sealed record NoiseAttribution(
    IReadOnlyList<InterruptDelta> Interrupts,
    IReadOnlyList<InterruptDelta> Softirqs,
    long VoluntarySwitches,
    long InvoluntarySwitches,
    double StealNs);
