namespace Bitfuse;

/// <summary>How one evaluation of a query over bitmaps runs.</summary>
public sealed record QueryRunOptions
{
    /// <summary>The defaults: universe from the inputs, sequential.</summary>
    public static QueryRunOptions Default { get; } = new();

    /// <summary>
    /// The end (exclusive) of the universe <c>[0, UniverseEnd)</c> that <c>!</c> and <c>$1</c> complement within,
    /// at most 2^32. Values of the inputs at or beyond it are ignored. Null (the default): the largest value of
    /// any input + 1.
    /// </summary>
    public long? UniverseEnd { get; init; }

    /// <summary>Worker threads over key ranges; 1 (the default) runs on the calling thread. Results are identical either way.</summary>
    public int DegreeOfParallelism { get; init; } = 1;

    /// <summary>
    /// Stops a run between keys once cancelled (an <see cref="OperationCanceledException"/> is thrown and nothing is
    /// returned). The per-key planner checks it before each key; the direct forms (a pair, a pure and, a pure or)
    /// run to the end, in time linear in their inputs. None by default.
    /// </summary>
    public CancellationToken Cancellation { get; init; }

    /// <summary>
    /// Stops a run between keys once this much time has passed since it started (an
    /// <see cref="OperationCanceledException"/>), checked against the clock by the running thread itself, so it
    /// holds however busy the machine's timers and thread pool are. Checked where <see cref="Cancellation"/> is.
    /// None by default.
    /// </summary>
    public TimeSpan? TimeLimit { get; init; }

    /// <summary>
    /// Dedicated (optionally pinned) threads to run the key ranges on instead of the thread pool; when set, it
    /// decides the degree of parallelism (<see cref="DegreeOfParallelism"/> is ignored). Results are identical either way.
    /// </summary>
    public QueryWorkerPool? Workers { get; init; }
}
