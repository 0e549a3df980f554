namespace Bitfuse.Isolation.Noise;

/// <summary>The machine a report comes from.</summary>
public sealed record HostFacts(string? Kernel, string? CpuModel, int LogicalCpus, string Runtime, bool Hypervisor, string BitfuseVersion);
