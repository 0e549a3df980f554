namespace Bitfuse.Isolation;

/// <summary>One CPU: whether it is online, its core, package and NUMA node (-1 when unknown) and its SMT siblings (itself included).</summary>
public sealed record CpuInfo(int Cpu, bool Online, int Core, int Package, int Node, CpuSet Siblings);
