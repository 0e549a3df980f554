using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.RegularExpressions;

namespace Bitfuse.Server.Tests;

/// <summary>
/// <c>kill -9</c> of a real <c>bitfuse serve</c> process while several clients commit: every commit the server
/// acknowledged is in the database when it is opened again, and nothing that was never sent is.
/// </summary>
public partial class KillTests
{
    private const int Writers = 4;

    [Fact]
    public async Task Killing_the_server_during_a_load_of_commits_loses_no_acknowledged_commit()
    {
        var folder = Path.Combine(Path.GetTempPath(), "bitfuse-kill-" + Guid.NewGuid().ToString("N"));
        var db = Path.Combine(folder, "db");
        Directory.CreateDirectory(folder);
        using var process = StartServe(db);
        try
        {
            var url = await ReadListeningUrl(process);
            var token = (await File.ReadAllTextAsync(Path.Combine(db, "server.token"))).Trim();
            using var client = new HttpClient { BaseAddress = url, Timeout = TimeSpan.FromSeconds(10) };
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);

            var acknowledged = Enumerable.Range(0, Writers).Select(_ => new List<uint>()).ToArray();
            var sent = Enumerable.Range(0, Writers).Select(_ => new List<uint>()).ToArray();
            var counts = new int[Writers];
            using var stop = new CancellationTokenSource();
            var writers = Enumerable.Range(0, Writers).Select(w => Task.Run(async () =>
            {
                // Bounded: at most 100,000 commits each; in practice the kill ends the loop much sooner.
                for (uint i = 0; i < 100_000 && !stop.IsCancellationRequested; i++)
                {
                    var value = i * 7 + (uint)w;
                    sent[w].Add(value);
                    try
                    {
                        var response = await client.PostAsJsonAsync("/commit", new { operations = new[] { new { op = "add", name = $"writer{w}", values = new[] { value } } } });
                        if (!response.IsSuccessStatusCode)
                        {
                            return;
                        }
                    }
                    catch (HttpRequestException)
                    {
                        return;
                    }
                    catch (TaskCanceledException)
                    {
                        return;
                    }
                    acknowledged[w].Add(value);
                    Interlocked.Increment(ref counts[w]);
                }
            })).ToArray();

            // Kill once the load is well under way: every writer has had commits acknowledged.
            var deadline = Stopwatch.StartNew();
            while (Enumerable.Range(0, Writers).Any(w => Volatile.Read(ref counts[w]) < 50) && deadline.Elapsed < TimeSpan.FromSeconds(60))
            {
                await Task.Delay(20);
            }
            process.Kill();
            await process.WaitForExitAsync();
            await stop.CancelAsync();
            await Task.WhenAll(writers);

            Assert.All(acknowledged, a => Assert.True(a.Count >= 50, $"a writer had only {a.Count} commits acknowledged before the kill"));
            using var database = Database.Open(db);
            using var snapshot = database.Snapshot();
            for (var w = 0; w < Writers; w++)
            {
                var stored = snapshot[$"writer{w}"].ToArray();
                Assert.Empty(acknowledged[w].Except(stored));
                Assert.Empty(stored.Except(sent[w]));
            }
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill();
            }
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>The CLI built beside this test project, started as <c>bitfuse serve</c> on a free loopback port.</summary>
    private static Process StartServe(string db)
    {
        var output = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var configuration = output.Parent!.Name;
        var root = output;
        while (!File.Exists(Path.Combine(root.FullName, "Bitfuse.slnx")))
        {
            root = root.Parent ?? throw new InvalidOperationException("the repository root (Bitfuse.slnx) is not above the test output");
        }
        var cli = Path.Combine(root.FullName, "src", "Bitfuse.Cli", "bin", configuration, output.Name, "Bitfuse.Cli.dll");
        Assert.True(File.Exists(cli), $"the CLI is not built at {cli}");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { cli, "serve", "--db", db, "--urls", "http://127.0.0.1:0" })
        {
            start.ArgumentList.Add(argument);
        }
        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start the CLI");
        process.ErrorDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        return process;
    }

    private static async Task<Uri> ReadListeningUrl(Process process)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
        {
            var match = ListeningLine().Match(line);
            if (match.Success)
            {
                // Keep the pipe drained so the server never blocks on a full stdout.
                _ = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
                return new Uri(match.Groups[1].Value);
            }
        }
        throw new InvalidOperationException("bitfuse serve exited before it printed its address");
    }

    [GeneratedRegex(@"^listening on (http://\S+)$")]
    private static partial Regex ListeningLine();
}
