using Bitfuse.Isolation;

namespace Bitfuse.Server;

/// <summary>How <see cref="BitfuseServer"/> serves a database.</summary>
public sealed record ServerOptions
{
    /// <summary>The default address: loopback only.</summary>
    public const string DefaultUrl = "http://127.0.0.1:7070";

    /// <summary>The database folder (created when absent).</summary>
    public required string DatabasePath { get; init; }

    /// <summary>Where to listen. Port 0 picks a free port (<see cref="BitfuseServer.Urls"/> has the real one).</summary>
    public IReadOnlyList<string> Urls { get; init; } = [DefaultUrl];

    /// <summary>
    /// A file holding the bearer token. When given, every request but <c>/health</c> and the console page needs the
    /// token; when absent, reads are open (on loopback only), writes need a token the server makes at start and
    /// writes to <see cref="BitfuseServer.TokenPath"/>.
    /// </summary>
    public string? TokenFile { get; init; }

    /// <summary>Request bounds.</summary>
    public ServerLimits Limits { get; init; } = ServerLimits.Default;

    /// <summary>
    /// Queries run on this many dedicated threads, each pinned to a CPU of <see cref="Cpus"/> in turn; 0 (the default)
    /// runs them on the thread pool.
    /// </summary>
    public int Workers { get; init; }

    /// <summary>The CPUs query workers are pinned to (default: the CPUs the process may use).</summary>
    public CpuSet? Cpus { get; init; }

    /// <summary>How the database is opened.</summary>
    public DatabaseOptions Database { get; init; } = new();
}
