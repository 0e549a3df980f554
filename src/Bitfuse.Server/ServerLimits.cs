using Bitfuse.Query.Syntax;

namespace Bitfuse.Server;

/// <summary>
/// What one request may ask of the server. Every limit is checked where the input enters: a body over its size
/// is cut off with 413, a query over <see cref="Query"/> is a syntax error naming the limit, a query that runs
/// past <see cref="QueryTimeout"/> is stopped and answered with 503.
/// </summary>
public sealed record ServerLimits
{
    /// <summary>The defaults.</summary>
    public static ServerLimits Default { get; } = new();

    /// <summary>Bytes of a <c>POST /query</c> body. Default 1 MiB.</summary>
    public long MaxQueryBodyBytes { get; init; } = 1L << 20;

    /// <summary>Bytes of a <c>POST /commit</c> body. Default 64 MiB.</summary>
    public long MaxCommitBodyBytes { get; init; } = 64L << 20;

    /// <summary>Bytes of a <c>PUT /bitmaps/{name}</c> body (one Roaring bitmap). Default 256 MiB.</summary>
    public long MaxBitmapBodyBytes { get; init; } = 256L << 20;

    /// <summary>Bytes of a <c>POST /import</c> body (read as a stream, never held whole). Default 16 GiB.</summary>
    public long MaxImportBodyBytes { get; init; } = 16L << 30;

    /// <summary>The longest CSV line of an import, in bytes. Default 4 KiB.</summary>
    public int MaxImportLineBytes { get; init; } = 4096;

    /// <summary>Distinct names in one import. Default 100,000.</summary>
    public int MaxImportNames { get; init; } = 100_000;

    /// <summary>Query text bounds: length, nesting depth, distinct names. Defaults 64 Ki characters, depth 64, 256 names.</summary>
    public QueryLimits Query { get; init; } = new() { MaxLength = 64 * 1024, MaxDepth = 64, MaxNames = 256 };

    /// <summary>The most values one <c>values</c> query returns. Default 100,000.</summary>
    public int MaxValues { get; init; } = 100_000;

    /// <summary>How long a query may run before it is stopped. Default 10 s.</summary>
    public TimeSpan QueryTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Operations in one <c>POST /commit</c>. Default 10,000.</summary>
    public int MaxCommitOperations { get; init; } = 10_000;

    /// <summary>Commits in progress at once (each holds a thread while it waits for its sync; they share syncs). Default 16.</summary>
    public int MaxConcurrentCommits { get; init; } = 16;

    /// <summary>Names listed by one <c>GET /bitmaps</c>. Default 10,000.</summary>
    public int MaxListedBitmaps { get; init; } = 10_000;

    /// <summary>How long shutdown waits for requests in flight before it checkpoints and closes. Default 30 s.</summary>
    public TimeSpan ShutdownTimeout { get; init; } = TimeSpan.FromSeconds(30);

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxQueryBodyBytes, 64, nameof(MaxQueryBodyBytes));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxCommitBodyBytes, 64, nameof(MaxCommitBodyBytes));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxBitmapBodyBytes, 8, nameof(MaxBitmapBodyBytes));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxImportBodyBytes, 1, nameof(MaxImportBodyBytes));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxImportLineBytes, 16, nameof(MaxImportLineBytes));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxImportNames, 1, nameof(MaxImportNames));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxValues, 0, nameof(MaxValues));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(QueryTimeout, TimeSpan.Zero, nameof(QueryTimeout));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxCommitOperations, 1, nameof(MaxCommitOperations));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxConcurrentCommits, 1, nameof(MaxConcurrentCommits));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxListedBitmaps, 1, nameof(MaxListedBitmaps));
        ArgumentOutOfRangeException.ThrowIfLessThan(ShutdownTimeout, TimeSpan.Zero, nameof(ShutdownTimeout));
        ArgumentNullException.ThrowIfNull(Query, nameof(Query));
    }
}
