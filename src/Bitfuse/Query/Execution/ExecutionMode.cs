namespace Bitfuse.Query.Execution;

/// <summary>What an evaluation over bitmaps produces.</summary>
internal enum ExecutionMode
{
    Count,
    Any,
    Evaluate,
    ForEach,
}
