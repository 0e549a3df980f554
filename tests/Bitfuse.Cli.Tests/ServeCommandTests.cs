using System.Diagnostics;
using System.Text;
using System.Text.Json;

namespace Bitfuse.Cli.Tests;

/// <summary>
/// <c>bitfuse serve --json</c> as a real child process on a free loopback port: its report is the one JSON
/// document on standard output, it names a URL that answers, and SIGTERM stops it cleanly with exit 0.
/// </summary>
public sealed class ServeCommandTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "bitfuse-serve-cli-" + Guid.NewGuid().ToString("N"));

    public ServeCommandTests() => Directory.CreateDirectory(_folder);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task Serve_json_prints_only_its_report_and_stops_on_sigterm()
    {
        var db = Path.Combine(_folder, "db");
        var report = Path.Combine(_folder, "serve.json");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { Path.Combine(AppContext.BaseDirectory, "Bitfuse.Cli.dll"), "serve", "--db", db, "--urls", "http://127.0.0.1:0", "--json", "--output", report })
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start)!;
        var errors = process.StandardError.ReadToEndAsync();
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            var printed = await ReadJsonDocument(process.StandardOutput, timeout.Token);
            using var doc = JsonDocument.Parse(printed);
            var url = doc.RootElement.GetProperty("urls").EnumerateArray().Single().GetString()!;
            Assert.StartsWith("http://127.0.0.1:", url, StringComparison.Ordinal);
            Assert.False(doc.RootElement.GetProperty("reads_need_token").GetBoolean());
            Assert.Equal(Path.Combine(db, "server.token"), doc.RootElement.GetProperty("token_path").GetString());
            Assert.Equal(printed, File.ReadAllText(report));

            using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
            var health = await client.GetAsync(new Uri(url + "/health"));
            Assert.True(health.IsSuccessStatusCode, $"GET /health: {(int)health.StatusCode}");

            using (var term = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await term.WaitForExitAsync(timeout.Token);
            }
            var rest = await process.StandardOutput.ReadToEndAsync(timeout.Token);
            await process.WaitForExitAsync(timeout.Token);
            Assert.True(process.ExitCode == 0, await errors);
            Assert.Equal("", rest);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill();
            }
        }
    }

    /// <summary>Reads lines until they make one whole JSON document; returns them as printed (each line ends with a newline).</summary>
    private static async Task<string> ReadJsonDocument(StreamReader reader, CancellationToken cancellation)
    {
        var text = new StringBuilder();
        while (await reader.ReadLineAsync(cancellation) is { } line)
        {
            text.Append(line).Append('\n');
            if (line == "}")
            {
                return text.ToString();
            }
        }
        throw new InvalidOperationException($"bitfuse serve exited before it printed its report; it printed: {text}");
    }
}
