namespace Bitfuse.Query.Compilation;

/// <summary>A snapshot of a <see cref="KernelCache"/>'s counters.</summary>
/// <param name="Kernels">Kernels held.</param>
/// <param name="Hits">Lookups that found a kernel already compiled.</param>
/// <param name="Misses">Lookups that compiled a kernel.</param>
/// <param name="CompileTime">Total time spent generating kernels.</param>
public sealed record KernelCacheStatistics(int Kernels, long Hits, long Misses, TimeSpan CompileTime);
