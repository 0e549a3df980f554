using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace Bitfuse.Server.Tests;

/// <summary>
/// A real server on 127.0.0.1 with a free port over a database in a fresh temporary folder, and an HTTP client
/// for it. Disposing stops the server (checkpoint and close) and deletes the folder.
/// </summary>
internal sealed class RunningServer : IAsyncDisposable
{
    private RunningServer(BitfuseServer server, string folder, string token)
    {
        Server = server;
        Folder = folder;
        Token = token;
        Client = new HttpClient { BaseAddress = server.Urls[0] };
    }

    public BitfuseServer Server { get; }

    public string Folder { get; }

    public string DatabasePath => Path.Combine(Folder, "db");

    public string Token { get; }

    public HttpClient Client { get; }

    public static async Task<RunningServer> StartAsync(ServerLimits? limits = null, bool tokenFile = false, int workers = 0, Isolation.CpuSet? cpus = null)
    {
        var folder = Path.Combine(Path.GetTempPath(), "bitfuse-server-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        string? tokenPath = null;
        if (tokenFile)
        {
            tokenPath = Path.Combine(folder, "token");
            await File.WriteAllTextAsync(tokenPath, "test-token-" + Guid.NewGuid().ToString("N") + "\n");
        }
        var server = await BitfuseServer.StartAsync(new ServerOptions
        {
            DatabasePath = Path.Combine(folder, "db"),
            Urls = ["http://127.0.0.1:0"],
            TokenFile = tokenPath,
            Limits = limits ?? ServerLimits.Default,
            Workers = workers,
            Cpus = cpus,
        });
        var token = (await File.ReadAllTextAsync(server.TokenPath)).Trim();
        return new RunningServer(server, folder, token);
    }

    /// <summary>A request carrying the bearer token.</summary>
    public HttpRequestMessage Authorized(HttpMethod method, string path, HttpContent? content = null)
    {
        var request = new HttpRequestMessage(method, path) { Content = content };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        return request;
    }

    /// <summary>POSTs a commit with the token and returns the response.</summary>
    public Task<HttpResponseMessage> CommitAsync(params object[] operations) =>
        Client.SendAsync(Authorized(HttpMethod.Post, "/commit", JsonContent.Create(new { operations })));

    /// <summary>POSTs a query (reads carry the token, which open servers ignore).</summary>
    public Task<HttpResponseMessage> QueryAsync(object body) =>
        Client.SendAsync(Authorized(HttpMethod.Post, "/query", JsonContent.Create(body)));

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Server.DisposeAsync();
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>Reading answers in tests.</summary>
internal static class Answers
{
    /// <summary>The problem type of routing's own 415, answered before an endpoint runs (from its Accepts metadata).</summary>
    public const string UnsupportedMediaType = "https://tools.ietf.org/html/rfc9110#section-15.5.16";

    /// <summary>The JSON body of a response that must have <paramref name="status"/>.</summary>
    public static async Task<JsonElement> Json(this HttpResponseMessage response, int status = 200)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == status, $"expected {status}, got {(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>The problem+json body of a response that must have <paramref name="status"/> and problem <paramref name="type"/>.</summary>
    public static async Task<JsonElement> Problem(this HttpResponseMessage response, int status, string type)
    {
        var problem = await response.Json(status);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(type, problem.GetProperty("type").GetString());
        Assert.Equal(status, problem.GetProperty("status").GetInt32());
        return problem;
    }

    public static object Op(string op, string name, params uint[] values) => new { op, name, values };

    public static object Delete(string name) => new { op = "delete", name };
}
