using System.Diagnostics;
using System.Text.Json;
using Bitfuse.Benchmarks.Compare;
using Bitfuse.Server;
using Spectre.Console;

namespace Bitfuse.Benchmarks.Suites;

/// <summary>
/// <c>compare server</c>: <c>bitfuse serve</c> in this process on 127.0.0.1, over a database holding the real data
/// sets (every set; with <c>--quick</c>, the smallest), checkpointed so queries read the mapped data file. The load
/// is a fixed list of count queries per set (for each window of 4 consecutive bitmaps: a &amp; b, a | b and
/// (a &amp; b) | (c &amp; !d); plus the OR and the AND of every bitmap of the set), cycled by
/// <see cref="ServerLoad"/>; every answer is checked against the in-process count.
/// <list type="bullet">
/// <item><c>count-p99</c> vs <c>no-writer</c>: p99 latency over 4 connections while one client commits one value
/// at a time (each durable before the next), against the same load alone. Ratio = p99 alone / p99 with the writer.</item>
/// <item><c>count-throughput</c> vs <c>in-process</c>: one connection per core, time per query at the aggregate
/// (wall / requests), against one thread per core taking a snapshot and calling <c>CompiledQuery.Count</c> on the
/// server's own database. Ratio = in-process time / HTTP time (the share of throughput HTTP keeps).
/// <c>count-throughput-wide</c> is the same with only the set-wide OR and AND queries.</item>
/// </list>
/// Rounds alternate the two sides; medians over rounds are reported. The load generator shares the machine's cores
/// with the server, as a client on the same host would.
/// </summary>
public sealed class ServerSuite : ICompareSuite
{
    private const int P99Connections = 4;

    /// <inheritdoc />
    public string Name => "server";

    /// <inheritdoc />
    public string Description => "bitfuse serve on loopback: count p99 with a writer committing vs without, HTTP throughput vs CompiledQuery.Count in-process";

    /// <inheritdoc />
    public void Run(CompareContext context)
    {
        var sets = context.DataSetDirectories();
        if (context.Quick)
        {
            sets = [sets.OrderBy(s => Directory.EnumerateFiles(s, "*.txt").Sum(f => new FileInfo(f).Length)).First()];
        }
        var folder = Path.Combine(Path.GetTempPath(), $"bitfuse-compare-server-{Environment.ProcessId}");
        try
        {
            var texts = BuildDatabase(Path.Combine(folder, "db"), sets);
            var server = BitfuseServer.StartAsync(new ServerOptions { DatabasePath = Path.Combine(folder, "db"), Urls = ["http://127.0.0.1:0"] }).GetAwaiter().GetResult();
            try
            {
                var engine = new QueryEngine();
                var queries = texts.Select(engine.Compile).ToArray();
                ServerLoad.Request[] requests;
                using (var snapshot = server.Database.Snapshot())
                {
                    requests = [.. queries.Select(q => new ServerLoad.Request(JsonSerializer.SerializeToUtf8Bytes(new { query = q.Text }), q.Count(snapshot)))];
                }
                context.Console.MarkupLine($"  [grey]{sets.Count} data set(s), {requests.Length} distinct count queries, server at {server.Urls[0]}[/]");
                var token = File.ReadAllText(server.TokenPath).Trim();
                MeasureP99(context, server, requests, token);
                MeasureThroughput(context, "count-throughput", server, queries, requests);
                // The same with only the set-wide OR and AND, queries that cost more than a request's HTTP work.
                var wide = Enumerable.Range(0, queries.Length).Where(i => queries[i].Variables.Count > 4).ToArray();
                MeasureThroughput(context, "count-throughput-wide", server, [.. wide.Select(i => queries[i])], [.. wide.Select(i => requests[i])]);
            }
            finally
            {
                server.StopAsync().GetAwaiter().GetResult();
            }
        }
        finally
        {
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
    }

    private static void MeasureP99(CompareContext context, BitfuseServer server, ServerLoad.Request[] requests, string token)
    {
        var perRound = context.Quick ? 600 : 10_000;
        var rounds = context.Quick ? 1 : 5;
        using var client = ServerLoad.Client(server.Urls[0], P99Connections);
        using var writerClient = ServerLoad.Client(server.Urls[0], 1, token);
        ServerLoad.Run(client, requests, P99Connections, Math.Min(perRound, 2000));
        var alone = new List<ServerLoad.Outcome>();
        var shared = new List<ServerLoad.Outcome>();
        long commits = 0;
        var writeErrors = 0;
        double writerSeconds = 0;
        for (var round = 0; round < rounds; round++)
        {
            alone.Add(ServerLoad.Run(client, requests, P99Connections, perRound));
            using var stop = new CancellationTokenSource();
            var started = Stopwatch.GetTimestamp();
            var writer = Task.Run(async () =>
            {
                // Bounded: it stops with the readers' load, or after a million commits.
                for (uint i = 0; i < 1_000_000 && !stop.IsCancellationRequested; i++)
                {
                    var body = JsonSerializer.SerializeToUtf8Bytes(new { operations = new[] { new { op = "add", name = "load:writer", values = new[] { i } } } });
                    using var content = new ByteArrayContent(body);
                    content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
                    using var response = await writerClient.PostAsync("/commit", content).ConfigureAwait(false);
                    if (response.IsSuccessStatusCode)
                    {
                        Interlocked.Increment(ref commits);
                    }
                    else
                    {
                        Interlocked.Increment(ref writeErrors);
                    }
                }
            });
            shared.Add(ServerLoad.Run(client, requests, P99Connections, perRound));
            stop.Cancel();
            writer.GetAwaiter().GetResult();
            writerSeconds += Stopwatch.GetElapsedTime(started).TotalSeconds;
        }
        var withWriter = Stopwatches.Median([.. shared.Select(o => o.P99)]);
        var without = Stopwatches.Median([.. alone.Select(o => o.P99)]);
        var errors = alone.Sum(o => o.Errors) + shared.Sum(o => o.Errors) + writeErrors;
        context.Record(CompareResult.Of(context.Suite, "count-p99", "no-writer", withWriter, without, rounds: rounds,
            extra: new Dictionary<string, double>
            {
                ["connections"] = P99Connections,
                ["requests_per_round"] = perRound,
                ["p50_ns_with_writer"] = Stopwatches.Median([.. shared.Select(o => o.P50)]),
                ["p50_ns_no_writer"] = Stopwatches.Median([.. alone.Select(o => o.P50)]),
                ["qps_with_writer"] = Stopwatches.Median([.. shared.Select(o => o.QueriesPerSecond)]),
                ["qps_no_writer"] = Stopwatches.Median([.. alone.Select(o => o.QueriesPerSecond)]),
                ["commits_per_s"] = commits / writerSeconds,
                ["errors"] = errors,
            },
            note: "p99 of count queries over HTTP while one client commits one value at a time (durable), vs the same load alone; errors counts failed or wrong answers and failed commits"));
    }

    private static void MeasureThroughput(CompareContext context, string caseName, BitfuseServer server, CompiledQuery[] queries, ServerLoad.Request[] requests)
    {
        var connections = Environment.ProcessorCount;
        var perRound = context.Quick ? Math.Max(200, 5 * requests.Length) : Math.Max(2000, 20 * requests.Length);
        perRound = Math.Min(perRound, context.Quick ? 1000 : 20_000);
        var rounds = context.Quick ? 1 : 5;
        using var client = ServerLoad.Client(server.Urls[0], connections);
        var http = new List<double>();
        var inProcess = new List<double>();
        var errors = 0;
        InProcess(server.Database, queries, requests, connections, Math.Min(perRound, 2000));
        for (var round = 0; round < rounds; round++)
        {
            var outcome = ServerLoad.Run(client, requests, connections, perRound);
            errors += outcome.Errors;
            http.Add(outcome.WallNs / perRound);
            inProcess.Add(InProcess(server.Database, queries, requests, connections, perRound) / perRound);
        }
        var subject = Stopwatches.Median(http);
        var baseline = Stopwatches.Median(inProcess);
        context.Record(CompareResult.Of(context.Suite, caseName, "in-process", subject, baseline, rounds: rounds,
            extra: new Dictionary<string, double>
            {
                ["connections"] = connections,
                ["requests_per_round"] = perRound,
                ["qps_http"] = 1e9 / subject,
                ["qps_in_process"] = 1e9 / baseline,
                ["errors"] = errors,
            },
            note: "wall time per count query at one connection per core over HTTP, vs one thread per core calling CompiledQuery.Count on a snapshot of the same database"));
    }

    // The baseline: the same queries, as many threads as connections, a snapshot per query as the server takes; returns wall ns.
    private static double InProcess(Database database, CompiledQuery[] queries, ServerLoad.Request[] requests, int threads, int total)
    {
        var next = -1;
        var wrong = 0;
        var started = Stopwatch.GetTimestamp();
        var workers = new Thread[threads];
        for (var t = 0; t < threads; t++)
        {
            workers[t] = new Thread(() =>
            {
                int i;
                while ((i = Interlocked.Increment(ref next)) < total)
                {
                    using var snapshot = database.Snapshot();
                    if (queries[i % queries.Length].Count(snapshot) != requests[i % requests.Length].Expected)
                    {
                        Interlocked.Increment(ref wrong);
                    }
                }
            });
            workers[t].Start();
        }
        foreach (var worker in workers)
        {
            worker.Join();
        }
        var elapsed = Stopwatches.ElapsedNs(started);
        return wrong == 0 ? elapsed : throw new InvalidOperationException($"{wrong} in-process counts differ from the first run");
    }

    // One bitmap per file, named <set>:<index>; one commit per set, then a checkpoint. Returns the query texts.
    private static List<string> BuildDatabase(string path, IReadOnlyList<string> sets)
    {
        var texts = new List<string>();
        using var database = Database.Open(path);
        foreach (var set in sets)
        {
            var setName = Path.GetFileName(set);
            var values = RealData.LoadValues(set);
            using (var tx = database.BeginWrite())
            {
                for (var i = 0; i < values.Length; i++)
                {
                    tx.Add($"{setName}:{i}", values[i]);
                }
                tx.Commit();
            }
            for (var w = 0; w + 4 <= values.Length; w += 4)
            {
                string N(int i) => $"{setName}:{w + i}";
                texts.Add($"{N(0)} & {N(1)}");
                texts.Add($"{N(0)} | {N(1)}");
                texts.Add($"({N(0)} & {N(1)}) | ({N(2)} & !{N(3)})");
            }
            var all = Enumerable.Range(0, values.Length).Select(i => $"{setName}:{i}").ToArray();
            texts.Add(string.Join(" | ", all));
            texts.Add(string.Join(" & ", all));
        }
        database.Checkpoint();
        return texts;
    }
}
