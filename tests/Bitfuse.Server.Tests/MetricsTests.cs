using System.Net;
using static Bitfuse.Server.Tests.Answers;

namespace Bitfuse.Server.Tests;

/// <summary>
/// The metrics are process-wide (every server's meter provider listens to the meters by name), so this test runs
/// alone: a server of another test running meanwhile would add its queries and commits to the counts it checks.
/// </summary>
[CollectionDefinition(nameof(MetricsTests), DisableParallelization = true)]
public sealed class MetricsCollection;

/// <summary><c>/metrics</c>: Prometheus text with the query latency histogram, commits, bytes and zone counters.</summary>
[Collection(nameof(MetricsTests))]
public class MetricsTests
{
    [Fact]
    public async Task Metrics_are_prometheus_text_with_latency_commits_bytes_and_zones()
    {
        await using var server = await RunningServer.StartAsync();
        (await server.CommitAsync(Op("add", "a", 1, 2, 3))).EnsureSuccessStatusCode();
        (await server.CommitAsync(Op("add", "b", 4))).EnsureSuccessStatusCode();
        for (var i = 0; i < 3; i++)
        {
            (await server.QueryAsync(new { query = "a | b" })).EnsureSuccessStatusCode();
        }

        var response = await server.Client.GetAsync("/metrics");
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
        Assert.Contains("# TYPE bitfuse_server_query_duration_seconds histogram", text, StringComparison.Ordinal);
        Assert.Matches("bitfuse_server_query_duration_seconds_count\\{[^}]*mode=\"count\"[^}]*outcome=\"ok\"[^}]*\\} 3", text);
        Assert.Matches("bitfuse_server_commits_total\\{[^}]*\\} 2", text);
        Assert.Matches("bitfuse_server_received_bytes_total\\{[^}]*endpoint=\"commit\"[^}]*\\} [1-9]", text);
        Assert.Matches("bitfuse_database_names\\{[^}]*\\} 2", text);
        Assert.Contains("bitfuse_memory_items_deferred", text, StringComparison.Ordinal);
    }
}
