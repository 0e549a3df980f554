using System.Net;
using System.Net.Http.Json;
using Bitfuse.Isolation;
using Bitfuse.Isolation.Pinning;
using static Bitfuse.Server.Tests.Answers;

namespace Bitfuse.Server.Tests;

/// <summary><c>/stats</c>, <c>/health</c>, <c>/metrics</c>, <c>/openapi/v1.json</c>, the console page, errors for unknown routes, and pinned workers.</summary>
public class StatusApiTests
{
    [Fact]
    public async Task Stats_count_what_was_done()
    {
        await using var server = await RunningServer.StartAsync();
        (await server.CommitAsync(Op("add", "a", 1), Op("add", "b", 2))).EnsureSuccessStatusCode();
        (await server.CommitAsync(Op("add", "c", 3))).EnsureSuccessStatusCode();
        (await server.QueryAsync(new { query = "a | b" })).EnsureSuccessStatusCode();

        var stats = await (await server.Client.GetAsync("/stats")).Json();

        Assert.Equal(3, stats.GetProperty("database").GetProperty("names").GetInt32());
        Assert.Equal(2, stats.GetProperty("database").GetProperty("commits").GetInt64());
        Assert.Equal(2, stats.GetProperty("database").GetProperty("lsn").GetInt64());
        Assert.Equal(1, stats.GetProperty("queries").GetInt64());
        Assert.False(stats.GetProperty("readsNeedToken").GetBoolean());
        Assert.Equal(64, stats.GetProperty("limits").GetProperty("query").GetProperty("maxDepth").GetInt32());
    }

    [Fact]
    public async Task Health_is_ready_until_shutdown_starts_then_writes_are_refused()
    {
        await using var server = await RunningServer.StartAsync();
        var ready = await (await server.Client.GetAsync("/health")).Json();
        Assert.True(ready.GetProperty("ready").GetBoolean());

        server.Server.Served.Drain();

        var draining = await (await server.Client.GetAsync("/health")).Json(503);
        Assert.True(draining.GetProperty("live").GetBoolean());
        Assert.False(draining.GetProperty("ready").GetBoolean());
        Assert.Equal("shutting down", draining.GetProperty("reason").GetString());
        await (await server.CommitAsync(Op("add", "a", 1))).Problem(503, ProblemTypes.Unavailable);
    }

    [Fact]
    public async Task The_openapi_document_describes_every_endpoint()
    {
        await using var server = await RunningServer.StartAsync();

        var document = await (await server.Client.GetAsync("/openapi/v1.json")).Json();

        Assert.StartsWith("3.", document.GetProperty("openapi").GetString(), StringComparison.Ordinal);
        Assert.Equal("Bitfuse server", document.GetProperty("info").GetProperty("title").GetString());
        var paths = document.GetProperty("paths");
        foreach (var (path, method) in new[] { ("/query", "post"), ("/commit", "post"), ("/bitmaps", "get"), ("/bitmaps/{name}", "put"), ("/bitmaps/{name}", "get"),
                     ("/bitmaps/{name}", "delete"), ("/import", "post"), ("/stats", "get"), ("/health", "get") })
        {
            Assert.True(paths.GetProperty(path).TryGetProperty(method, out _), $"{method} {path} is not documented");
        }
        Assert.True(document.GetProperty("components").GetProperty("schemas").TryGetProperty("QueryRequest", out _));
    }

    [Fact]
    public async Task The_console_page_is_served_with_a_content_security_policy()
    {
        await using var server = await RunningServer.StartAsync();

        var response = await server.Client.GetAsync("/");
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("connect-src 'self'", response.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        Assert.Contains("<title>Bitfuse console</title>", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_routes_and_methods_answer_problem_json()
    {
        await using var server = await RunningServer.StartAsync();

        await (await server.Client.GetAsync("/nothing")).Problem(404, "https://tools.ietf.org/html/rfc9110#section-15.5.5");
        var wrongMethod = await server.Client.GetAsync("/query");
        Assert.Equal(HttpStatusCode.MethodNotAllowed, wrongMethod.StatusCode);
        Assert.Equal("application/problem+json", wrongMethod.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Pinned_workers_run_queries_on_their_cpus()
    {
        var cpu = ThreadAffinity.Get().Min;
        await using var server = await RunningServer.StartAsync(workers: 2, cpus: CpuSet.Of(cpu));
        (await server.CommitAsync(Op("add", "a", 1, 2, 3), Op("add", "b", 2, 3, 4))).EnsureSuccessStatusCode();

        var tasks = Enumerable.Range(0, 20).Select(_ => server.QueryAsync(new { query = "a & b" })).ToArray();
        foreach (var response in await Task.WhenAll(tasks))
        {
            Assert.Equal(2, (await response.Json()).GetProperty("count").GetInt64());
        }

        var workers = (await (await server.Client.GetAsync("/stats")).Json()).GetProperty("workers");
        Assert.Equal(2, workers.GetArrayLength());
        foreach (var worker in workers.EnumerateArray())
        {
            Assert.Equal(cpu, worker.GetProperty("cpu").GetInt32());
            Assert.True(worker.GetProperty("pinned").GetBoolean());
        }
    }

    [Fact]
    public async Task A_cpu_list_without_workers_or_beyond_the_process_is_refused()
    {
        var folder = Path.Combine(Path.GetTempPath(), "bitfuse-server-" + Guid.NewGuid().ToString("N"));
        try
        {
            await Assert.ThrowsAsync<ArgumentException>(() => BitfuseServer.StartAsync(new ServerOptions
            {
                DatabasePath = folder,
                Urls = ["http://127.0.0.1:0"],
                Cpus = CpuSet.Of(0),
            }));
            var error = await Assert.ThrowsAsync<ArgumentException>(() => BitfuseServer.StartAsync(new ServerOptions
            {
                DatabasePath = folder,
                Urls = ["http://127.0.0.1:0"],
                Workers = 1,
                Cpus = CpuSet.Of(CpuSet.MaxCpu),
            }));
            Assert.Contains("not ones this process may run on", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
    }
}
