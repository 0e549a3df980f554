using System.Diagnostics;
using System.Text.Json;
using Bitfuse.Benchmarks.Compare;

namespace Bitfuse.Benchmarks.Suites;

/// <summary>
/// A bounded load generator on loopback: <c>connections</c> loops share one <see cref="HttpClient"/> limited to that
/// many connections, and together send a fixed number of <c>POST /query</c> requests (the bodies are serialized
/// once), each answer checked against the count computed in-process. Stops by itself after the last request.
/// </summary>
internal static class ServerLoad
{
    /// <summary>One query: its serialized body and the count it must answer.</summary>
    public sealed record Request(byte[] Body, long Expected);

    /// <summary>What one run measured: every request's latency (ns), the wall time, and failed or wrong answers.</summary>
    public sealed record Outcome(double[] LatenciesNs, double WallNs, int Errors)
    {
        public double P50 => Stopwatches.Percentile(LatenciesNs, 0.50);

        public double P99 => Stopwatches.Percentile(LatenciesNs, 0.99);

        public double QueriesPerSecond => LatenciesNs.Length / (WallNs / 1e9);
    }

    /// <summary>A client for <paramref name="server"/> with at most <paramref name="connections"/> connections.</summary>
    public static HttpClient Client(Uri server, int connections, string? token = null)
    {
        var handler = new SocketsHttpHandler { MaxConnectionsPerServer = connections, PooledConnectionLifetime = TimeSpan.FromMinutes(10) };
        var client = new HttpClient(handler) { BaseAddress = server, Timeout = TimeSpan.FromSeconds(30) };
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        }
        return client;
    }

    /// <summary>Sends <paramref name="total"/> requests, cycling through <paramref name="requests"/>, over <paramref name="connections"/> loops.</summary>
    public static Outcome Run(HttpClient client, IReadOnlyList<Request> requests, int connections, int total)
    {
        var latencies = new double[total];
        var next = -1;
        var errors = 0;
        var started = Stopwatch.GetTimestamp();
        var loops = new Task[connections];
        for (var c = 0; c < connections; c++)
        {
            loops[c] = Task.Run(async () =>
            {
                int i;
                while ((i = Interlocked.Increment(ref next)) < total)
                {
                    var request = requests[i % requests.Count];
                    var start = Stopwatch.GetTimestamp();
                    var ok = await Send(client, request).ConfigureAwait(false);
                    latencies[i] = Stopwatches.ElapsedNs(start);
                    if (!ok)
                    {
                        Interlocked.Increment(ref errors);
                    }
                }
            });
        }
        Task.WaitAll(loops);
        return new Outcome(latencies, Stopwatches.ElapsedNs(started), errors);
    }

    private static async Task<bool> Send(HttpClient client, Request request)
    {
        try
        {
            using var content = new ByteArrayContent(request.Body);
            content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
            using var response = await client.PostAsync("/query", content).ConfigureAwait(false);
            var bytes = await response.Content.ReadAsByteArrayAsync().ConfigureAwait(false);
            return response.IsSuccessStatusCode && CountOf(bytes) == request.Expected;
        }
        catch (HttpRequestException)
        {
            return false;
        }
        catch (TaskCanceledException)
        {
            return false;
        }
    }

    private static long CountOf(byte[] json)
    {
        var reader = new Utf8JsonReader(json);
        while (reader.Read())
        {
            if (reader.TokenType == JsonTokenType.PropertyName && reader.ValueTextEquals("count"u8) && reader.Read())
            {
                return reader.GetInt64();
            }
        }
        return -1;
    }
}
