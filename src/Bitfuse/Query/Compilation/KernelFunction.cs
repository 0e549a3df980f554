namespace Bitfuse.Query.Compilation;

/// <summary>
/// The entry point of a compiled kernel. <paramref name="inputs"/> holds one pointer per kernel input,
/// each to <paramref name="words"/> readable words; <paramref name="output"/> points to <paramref name="words"/>
/// writable words (unused by <see cref="KernelVariant.Count"/> and <see cref="KernelVariant.Any"/>).
/// Returns the set-bit count (count variants), 1/0 (any) or 0 (write).
/// </summary>
public unsafe delegate long KernelFunction(ulong** inputs, ulong* output, nint words);
