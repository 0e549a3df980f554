namespace Bitfuse.Query.Execution;

/// <summary>The answer of one evaluation (the count, or the bitmap when one was built) and how it went.</summary>
internal readonly record struct ExecutionResult(long Count, Bitmap? Bitmap, ExecutionStatistics Statistics, long UniverseEnd, bool UniverseGiven);
