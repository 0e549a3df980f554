namespace Bitfuse.Isolation.Noise;

/// <summary>What the runtime was doing over a <see cref="RuntimeWindow"/>.</summary>
public enum RuntimeWindowKind
{
    /// <summary>Every managed thread suspended (<c>GCSuspendEEBegin</c> to <c>GCRestartEEEnd</c>).</summary>
    Suspension,

    /// <summary>A method being compiled on a thread (<c>MethodJittingStarted</c> to <c>MethodLoadVerbose</c>).</summary>
    Jit,

    /// <summary>A thread-pool worker starting (<c>ThreadPoolWorkerThreadStart</c>; a point in time).</summary>
    ThreadPoolStart,
}
