using System.Net;
using System.Text.Json.Serialization;
using Bitfuse.Memory;
using Bitfuse.Server.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace Bitfuse.Server;

// The HTTP server over one database.
//
// Invariants:
//  H1. Listening on an address other than loopback needs a token file, so reads there are never open.
//  H2. Middleware order: problem+json for every exception, routing, the bearer token check, the endpoints.
//  H3. Stopping: readiness goes false, Kestrel stops accepting and waits (up to the shutdown timeout) for the
//      requests in flight, commits among them; then the database is checkpointed and closed (ServedDatabase S2).

/// <summary>
/// <c>bitfuse serve</c>: the HTTP API and web console over a <see cref="Database"/>. Start it with
/// <see cref="StartAsync"/>; it runs until <see cref="StopAsync"/> or until the process is asked to stop
/// (SIGINT, SIGTERM), and always checkpoints and closes the database on the way out.
/// </summary>
public sealed class BitfuseServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ServedDatabase _served;
    private int _stopped;

    private BitfuseServer(WebApplication app, ServedDatabase served)
    {
        _app = app;
        _served = served;
    }

    /// <summary>The addresses the server listens on (with the real port when port 0 was asked for).</summary>
    public IReadOnlyList<Uri> Urls => [.. _app.Urls.Select(u => new Uri(u))];

    /// <summary>The file holding the bearer token (the given token file, or the one made at start).</summary>
    public string TokenPath => _served.Tokens.TokenPath;

    /// <summary>True when reads need the bearer token.</summary>
    public bool ReadsNeedToken => _served.Tokens.ReadsNeedToken;

    /// <summary>The dedicated query workers and whether each is pinned (empty: the thread pool runs queries).</summary>
    public IReadOnlyList<WorkerInfo> Workers => _served.Workers.Workers;

    /// <summary>The database being served (a program embedding the server may query or write it directly too).</summary>
    public Database Database => _served.Database;

    /// <summary>The served database (tests reach its state through it).</summary>
    internal ServedDatabase Served => _served;

    /// <summary>Opens the database and starts listening.</summary>
    /// <exception cref="ArgumentException">An option is invalid (a non-loopback address without a token file, a bad CPU list).</exception>
    public static async Task<BitfuseServer> StartAsync(ServerOptions options, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Limits.Validate();
        if (options.Urls.Count == 0)
        {
            throw new ArgumentException("give at least one URL to listen on");
        }
        foreach (var url in options.Urls)
        {
            if (!IsLoopback(url) && options.TokenFile is null)
            {
                throw new ArgumentException($"'{url}' is not a loopback address: listening there needs --token-file, so that reads need a token too");
            }
        }
        ArgumentOutOfRangeException.ThrowIfNegative(options.Workers, nameof(options.Workers));
        if (options.Cpus is not null && options.Workers == 0)
        {
            throw new ArgumentException("a CPU list pins query workers: give --workers too");
        }

        var database = Database.Open(options.DatabasePath, options.Database);
        ServedDatabase served;
        try
        {
            var tokens = AccessTokens.Load(options.TokenFile, database.FolderPath);
            var workers = options.Workers > 0 ? QueryWorkers.Pinned(options.Workers, options.Cpus) : QueryWorkers.ThreadPool();
            served = new ServedDatabase(database, options.Limits, tokens, workers);
        }
        catch
        {
            database.Dispose();
            throw;
        }
        try
        {
            var app = Build(options, served);
            var server = new BitfuseServer(app, served);
            await app.StartAsync(cancellation).ConfigureAwait(false);
            return server;
        }
        catch
        {
            served.Close();
            throw;
        }
    }

    /// <summary>Completes when the server was asked to stop (SIGINT, SIGTERM or <see cref="StopAsync"/>).</summary>
    public Task WaitForShutdownAsync(CancellationToken cancellation = default) => _app.WaitForShutdownAsync(cancellation);

    /// <summary>Stops accepting, lets requests in flight finish, checkpoints and closes the database (H3).</summary>
    public async Task StopAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0)
        {
            return;
        }
        _served.Drain();
        try
        {
            await _app.StopAsync().ConfigureAwait(false);
        }
        finally
        {
            _served.Close();
            await _app.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => new(StopAsync());

    private static WebApplication Build(ServerOptions options, ServedDatabase served)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ContentRootPath = AppContext.BaseDirectory });
        builder.WebHost.UseUrls([.. options.Urls]);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = options.Limits.MaxQueryBodyBytes;
            kestrel.Limits.MaxRequestHeadersTotalSize = 32 * 1024;
        });
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(console => console.SingleLine = true);
        // Log lines go to standard error: standard output belongs to the host's own report (bitfuse serve --json).
        builder.Logging.AddConsole(console => console.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = options.Limits.ShutdownTimeout);
        builder.Services.AddSingleton(served);
        builder.Services.AddSingleton(served.Tokens);
        builder.Services.AddProblemDetails();
        builder.Services.AddExceptionHandler<ProblemMapping>();
        builder.Services.ConfigureHttpJsonOptions(json =>
        {
            json.SerializerOptions.MaxDepth = 1024;
            json.SerializerOptions.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
        });
        builder.Services.AddOpenApi(openApi => openApi.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "Bitfuse server";
            document.Info.Version = typeof(BitfuseServer).Assembly.GetName().Version?.ToString(3) ?? "0";
            document.Info.Description = "Queries, durable commits, bitmaps and imports over a Bitfuse database. Errors are RFC 9457 problem+json.";
            return Task.CompletedTask;
        }));
        builder.Services.AddOpenTelemetry().ConfigureResource(resource => resource.AddService("bitfuse")).WithMetrics(metrics => metrics
            .AddMeter(ServerMetrics.MeterName, ZoneMetrics.MeterName)
            .AddPrometheusExporter(prometheus => prometheus.ScrapeResponseCacheDurationMilliseconds = 0));

        var app = builder.Build();
        app.Lifetime.ApplicationStopping.Register(served.Drain);
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseRouting();
        app.UseMiddleware<BearerTokenCheck>();
        ServerRoutes.Map(app);
        return app;
    }

    private static bool IsLoopback(string url)
    {
        if (!Uri.TryCreate(url.Replace("://*", "://0.0.0.0", StringComparison.Ordinal).Replace("://+", "://0.0.0.0", StringComparison.Ordinal), UriKind.Absolute, out var uri))
        {
            throw new ArgumentException($"'{url}' is not a URL such as {ServerOptions.DefaultUrl}");
        }
        return uri.IsLoopback || IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip);
    }
}
