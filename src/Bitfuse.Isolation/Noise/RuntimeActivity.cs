namespace Bitfuse.Isolation.Noise;

/// <summary>What the runtime did during the run: GCs (each one stops every thread), JIT work, and whether a no-GC region held.</summary>
public sealed record RuntimeActivity(int Gen0Collections, int Gen1Collections, int Gen2Collections, double GcPauseMs, long JitCompiledMethods, double JitTimeMs, bool NoGcRegionHeld);
