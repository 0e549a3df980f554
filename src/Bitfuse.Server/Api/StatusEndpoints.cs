using Bitfuse.Server.Hosting;
using Microsoft.AspNetCore.Http;

namespace Bitfuse.Server;

/// <summary>The answer of <c>GET /health</c>.</summary>
/// <param name="Live">The process answers (always true in an answer).</param>
/// <param name="Ready">It takes queries and writes: not shutting down, the database healthy.</param>
/// <param name="Reason">Why it is not ready.</param>
public sealed record HealthResponse(bool Live, bool Ready, string? Reason);

/// <summary>The answer of <c>GET /stats</c>.</summary>
public sealed record StatsResponse
{
    /// <summary>The database's counts and sizes.</summary>
    public required DatabaseStatistics Database { get; init; }

    /// <summary>Seconds since the server started.</summary>
    public required double UptimeSeconds { get; init; }

    /// <summary>Queries answered since start (any outcome).</summary>
    public required long Queries { get; init; }

    /// <summary>Compiled queries the engine caches.</summary>
    public required int CachedQueries { get; init; }

    /// <summary>True when reads need the bearer token.</summary>
    public required bool ReadsNeedToken { get; init; }

    /// <summary>The dedicated query workers (empty: the thread pool runs queries).</summary>
    public required IReadOnlyList<WorkerInfo> Workers { get; init; }

    /// <summary>The request limits in force.</summary>
    public required ServerLimits Limits { get; init; }
}

/// <summary><c>GET /health</c> (liveness and readiness) and <c>GET /stats</c>.</summary>
internal static class StatusEndpoints
{
    public static IResult Health(ServedDatabase served)
    {
        var reason = served.NotReadyBecause;
        return Results.Json(new HealthResponse(true, reason is null, reason), statusCode: reason is null ? 200 : 503);
    }

    public static IResult Stats(ServedDatabase served) => Results.Json(new StatsResponse
    {
        Database = served.Database.Statistics,
        UptimeSeconds = (DateTimeOffset.UtcNow - served.Started).TotalSeconds,
        Queries = served.Metrics.Queries,
        CachedQueries = served.Engine.CachedQueries,
        ReadsNeedToken = served.Tokens.ReadsNeedToken,
        Workers = served.Workers.Workers,
        Limits = served.Limits,
    });
}
