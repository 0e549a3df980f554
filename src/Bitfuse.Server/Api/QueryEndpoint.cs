using System.Diagnostics;
using Bitfuse.Query.Compilation;
using Bitfuse.Server.Hosting;
using Microsoft.AspNetCore.Http;

namespace Bitfuse.Server;

/// <summary>
/// <c>POST /query</c>: compiles the text (a syntax error or a limit is a 400 with the caret), takes a snapshot on a
/// query worker and counts, lists the first values or explains there. The request waits at most the query time
/// limit: the run's token is cancelled then (the per-key planner stops before its next key) and the request
/// answers 503 without waiting for the run to notice; the run releases its snapshot when it ends.
/// </summary>
internal static class QueryEndpoint
{
    private const int DefaultLimit = 100;

    public static async Task<IResult> Handle(HttpContext http, ServedDatabase served)
    {
        var started = Stopwatch.GetTimestamp();
        var request = await RequestBody.ReadJsonAsync<QueryRequest>(http, served.Limits.MaxQueryBodyBytes, "query", served.Metrics).ConfigureAwait(false);
        var mode = request.Mode ?? "count";
        if (mode is not ("count" or "values" or "explain"))
        {
            throw RequestRejectedException.Invalid($"mode '{mode}' is not one of count, values, explain");
        }
        var limit = request.Limit ?? DefaultLimit;
        if (limit < 0 || limit > served.Limits.MaxValues)
        {
            throw RequestRejectedException.Invalid($"limit {limit} is outside [0, {served.Limits.MaxValues}]");
        }
        if (request.Universe is < 0 or > 1L << 32)
        {
            throw RequestRejectedException.Invalid($"universe {request.Universe} is outside [0, 4294967296]");
        }
        var outcome = "error";
        try
        {
            var query = served.Engine.Compile(request.Query);
            using var deadline = served.Deadlines.Start(served.Limits.QueryTimeout, http.RequestAborted);
            var options = new QueryRunOptions { UniverseEnd = request.Universe, Cancellation = deadline.Token, TimeLimit = served.Limits.QueryTimeout };
            QueryResponse answer;
            try
            {
                answer = await served.Workers.Run(() => Run(served.Database, query, mode, limit, options, started), deadline.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!http.RequestAborted.IsCancellationRequested)
            {
                outcome = "timeout";
                throw new RequestRejectedException(StatusCodes.Status503ServiceUnavailable, ProblemTypes.QueryTimeout, "The query ran out of time",
                    $"the query was stopped after {served.Limits.QueryTimeout.TotalMilliseconds:F0} ms, this server's limit",
                    new Dictionary<string, object?> { ["timeoutMs"] = served.Limits.QueryTimeout.TotalMilliseconds });
            }
            outcome = "ok";
            return Results.Json(answer with { ElapsedMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds });
        }
        finally
        {
            served.Metrics.Query(mode, outcome, Stopwatch.GetElapsedTime(started));
        }
    }

    private static QueryResponse Run(Database database, CompiledQuery query, string mode, int limit, QueryRunOptions options, long started)
    {
        using var snapshot = database.Snapshot();
        var inputs = snapshot.Bitmaps;
        switch (mode)
        {
            case "values":
                {
                    using var answer = query.Evaluate(inputs, options);
                    var values = new List<uint>((int)Math.Min(limit, answer.Count));
                    foreach (var value in answer)
                    {
                        if (values.Count == limit)
                        {
                            break;
                        }
                        values.Add(value);
                    }
                    return Answer(mode, answer.Count, snapshot.Lsn, started) with { Values = values, Truncated = answer.Count > values.Count };
                }
            case "explain":
                {
                    var explanation = query.Explain(inputs, options);
                    var s = explanation.Statistics;
                    return Answer(mode, explanation.Count, snapshot.Lsn, started) with
                    {
                        Explain = new QueryExplain
                        {
                            Parsed = ExprNode.From(query.Parsed),
                            Optimized = ExprNode.From(explanation.OptimizedTree!),
                            OptimizedText = explanation.Optimized,
                            Shape = explanation.Shape,
                            KernelInputs = explanation.KernelInputs,
                            Width = explanation.Width == KernelWidth.Scalar ? "scalar" : $"Vector{(int)explanation.Width}",
                            Path = explanation.Path,
                            UniverseEnd = explanation.UniverseEnd,
                            Keys = s is null ? null : new Dictionary<string, long>
                            {
                                ["visited"] = s.KeysVisited,
                                ["skipped"] = s.KeysSkipped,
                                ["copied"] = s.KeysCopied,
                                ["dense"] = s.KeysDense,
                                ["sparse"] = s.KeysSparse,
                                ["containersExpanded"] = s.ContainersExpanded,
                                ["bytesRead"] = s.BytesRead,
                            },
                            Text = explanation.ToString(),
                        },
                    };
                }
            default:
                return Answer(mode, query.Count(inputs, options), snapshot.Lsn, started);
        }
    }

    private static QueryResponse Answer(string mode, long count, long lsn, long started) =>
        new() { Mode = mode, Count = count, Lsn = lsn, ElapsedMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds };
}
