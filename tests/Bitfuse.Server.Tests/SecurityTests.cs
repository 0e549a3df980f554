using System.Net;
using System.Net.Http.Json;
using static Bitfuse.Server.Tests.Answers;

namespace Bitfuse.Server.Tests;

/// <summary>Tokens, loopback by default, and the body and query limits.</summary>
public class SecurityTests
{
    [Fact]
    public async Task Writes_need_the_token_and_reads_are_open_without_a_token_file()
    {
        await using var server = await RunningServer.StartAsync();

        var missing = await server.Client.PostAsJsonAsync("/commit", new { operations = new[] { Op("add", "a", 1) } });
        await missing.Problem(401, ProblemTypes.Unauthorized);
        Assert.Equal("Bearer", missing.Headers.WwwAuthenticate.Single().Scheme);

        using var wrong = new HttpRequestMessage(HttpMethod.Post, "/commit") { Content = JsonContent.Create(new { operations = new[] { Op("add", "a", 1) } }) };
        wrong.Headers.Authorization = new("Bearer", server.Token + "x");
        var refused = await server.Client.SendAsync(wrong);
        await refused.Problem(401, ProblemTypes.Unauthorized);
        Assert.Contains("invalid_token", refused.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);

        await (await server.Client.PutAsync("/bitmaps/a", new ByteArrayContent([1]))).Problem(401, ProblemTypes.Unauthorized);
        await (await server.Client.PostAsync("/import", new StringContent("a,1\n", System.Text.Encoding.UTF8, "text/csv"))).Problem(401, ProblemTypes.Unauthorized);
        await (await server.Client.DeleteAsync("/bitmaps/a")).Problem(401, ProblemTypes.Unauthorized);
        Assert.Equal(0, server.Server.Served.Database.Statistics.Commits);

        // Reads need no token here.
        (await server.Client.PostAsJsonAsync("/query", new { query = "$0" })).EnsureSuccessStatusCode();
        (await server.Client.GetAsync("/bitmaps")).EnsureSuccessStatusCode();
        (await server.Client.GetAsync("/stats")).EnsureSuccessStatusCode();
        (await server.Client.GetAsync("/metrics")).EnsureSuccessStatusCode();
        // The generated token is readable by its owner only.
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(server.Server.TokenPath));
        }
    }

    [Fact]
    public async Task With_a_token_file_reads_need_the_token_too_but_health_and_the_console_do_not()
    {
        await using var server = await RunningServer.StartAsync(tokenFile: true);
        Assert.True(server.Server.ReadsNeedToken);

        await (await server.Client.PostAsJsonAsync("/query", new { query = "$0" })).Problem(401, ProblemTypes.Unauthorized);
        foreach (var path in new[] { "/bitmaps", "/bitmaps/a", "/stats", "/metrics", "/openapi/v1.json" })
        {
            await (await server.Client.GetAsync(path)).Problem(401, ProblemTypes.Unauthorized);
        }
        Assert.Equal(HttpStatusCode.OK, (await server.Client.GetAsync("/health")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await server.Client.GetAsync("/")).StatusCode);

        (await server.QueryAsync(new { query = "$0" })).EnsureSuccessStatusCode();
        (await server.Client.SendAsync(server.Authorized(HttpMethod.Get, "/stats"))).EnsureSuccessStatusCode();
        (await server.CommitAsync(Op("add", "a", 1))).EnsureSuccessStatusCode();
    }

    [Theory]
    [InlineData("http://0.0.0.0:0")]
    [InlineData("http://*:7070")]
    [InlineData("http://192.0.2.1:7070")]
    public async Task Listening_beyond_loopback_needs_a_token_file(string url)
    {
        var folder = Path.Combine(Path.GetTempPath(), "bitfuse-server-" + Guid.NewGuid().ToString("N"));
        var error = await Assert.ThrowsAsync<ArgumentException>(() => BitfuseServer.StartAsync(new ServerOptions { DatabasePath = folder, Urls = [url] }));
        Assert.Contains("--token-file", error.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(folder), "nothing is created when the options are refused");
    }

    [Fact]
    public async Task A_token_file_with_a_short_token_is_refused()
    {
        var folder = Path.Combine(Path.GetTempPath(), "bitfuse-server-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            var tokenFile = Path.Combine(folder, "token");
            await File.WriteAllTextAsync(tokenFile, "short\n");
            var error = await Assert.ThrowsAsync<ArgumentException>(() =>
                BitfuseServer.StartAsync(new ServerOptions { DatabasePath = Path.Combine(folder, "db"), Urls = ["http://127.0.0.1:0"], TokenFile = tokenFile }));
            Assert.Contains("at least 16", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task A_query_body_over_the_limit_is_a_413_with_or_without_a_length()
    {
        await using var server = await RunningServer.StartAsync(ServerLimits.Default with { MaxQueryBodyBytes = 1000 });
        var text = string.Join(" | ", Enumerable.Range(0, 300).Select(i => $"n{i}"));

        await (await server.Client.PostAsJsonAsync("/query", new { query = text })).Problem(413, ProblemTypes.TooLarge);
        var sized = new StringContent(System.Text.Json.JsonSerializer.Serialize(new { query = text }), System.Text.Encoding.UTF8, "application/json");
        await (await server.Client.PostAsync("/query", sized)).Problem(413, ProblemTypes.TooLarge);
    }

    [Fact]
    public async Task A_commit_body_over_the_limit_is_a_413_and_commits_nothing()
    {
        await using var server = await RunningServer.StartAsync(ServerLimits.Default with { MaxCommitBodyBytes = 4096 });

        await (await server.CommitAsync(Op("add", "a", [.. Enumerable.Range(0, 2000).Select(i => (uint)i)]))).Problem(413, ProblemTypes.TooLarge);
        Assert.Equal(0, server.Server.Served.Database.Statistics.Commits);
    }

    [Theory]
    [InlineData("a0 | a1 | a2 | a3 | a4", "names")]
    [InlineData("((((a))))", "nest")]
    [InlineData("a0 | a1 | a2 | a3 | a0 | a1 | a2 | a3 | a0 | a1 | a2 | a3 | a0", "long")]
    public async Task Queries_over_the_complexity_limits_are_syntax_errors_naming_the_limit(string text, string named)
    {
        var limits = ServerLimits.Default with { Query = new() { MaxNames = 4, MaxDepth = 3, MaxLength = 60 } };
        await using var server = await RunningServer.StartAsync(limits);

        var problem = await (await server.QueryAsync(new { query = text })).Problem(400, ProblemTypes.QuerySyntax);

        Assert.Contains(named, problem.GetProperty("detail").GetString(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_query_past_its_deadline_is_stopped_with_a_503()
    {
        await using var server = await RunningServer.StartAsync(ServerLimits.Default with { QueryTimeout = TimeSpan.FromMilliseconds(1) });
        // A run in every one of the 65,536 keys of each input: a general shape over them runs the kernel on every
        // key after expanding three runs, far longer than 1 ms.
        foreach (var (name, offset) in new[] { ("a", 0), ("b", 50), ("c", 100) })
        {
            using var bitmap = new Bitmap();
            for (long key = 0; key < 65536; key++)
            {
                bitmap.AddRange((key << 16) + offset, (key << 16) + offset + 100);
            }
            bitmap.Optimize();
            var content = new ByteArrayContent(bitmap.Serialize());
            content.Headers.ContentType = new("application/octet-stream");
            (await server.Client.SendAsync(server.Authorized(HttpMethod.Put, "/bitmaps/" + name, content))).EnsureSuccessStatusCode();
        }

        var problem = await (await server.QueryAsync(new { query = "(a ^ b) | !c" })).Problem(503, ProblemTypes.QueryTimeout);

        Assert.Equal(1, problem.GetProperty("timeoutMs").GetDouble());
        (await server.Client.GetAsync("/health")).EnsureSuccessStatusCode();
    }
}
