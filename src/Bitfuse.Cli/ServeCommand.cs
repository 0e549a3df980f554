using System.CommandLine;
using Bitfuse.Server;

namespace Bitfuse.Cli;

/// <summary>
/// <c>bitfuse serve</c>: the HTTP API and web console over a database, until SIGINT or SIGTERM. Its report is
/// where it listens and how it is secured, emitted once the server is listening; with <c>--json</c> that JSON
/// document is all it writes to standard output.
/// </summary>
internal static class ServeCommand
{
    public static Command Create()
    {
        var db = new Option<string>("--db") { Description = "The database folder (created when absent).", HelpName = "DIR", Required = true };
        var urls = new Option<string>("--urls")
        {
            Description = $"Where to listen, ';' between several (default {ServerOptions.DefaultUrl}; port 0 picks a free port). An address other than loopback needs --token-file.",
            DefaultValueFactory = _ => ServerOptions.DefaultUrl,
        };
        var tokenFile = new Option<string?>("--token-file") { Description = "A file holding the bearer token; with it, reads need the token too. Without it, reads are open and writes need a token written to DIR/server.token." };
        var workers = new Option<int>("--workers") { Description = "Run queries on N dedicated threads pinned to the CPUs of --cpus in turn (default: the thread pool)." };
        var cpus = new Option<string?>("--cpus") { Description = "The CPUs query workers are pinned to, for example 2-3 or 1,3 (default: every CPU the process may use)." };
        var json = JsonOutput.Switch("where the server listens (once it listens)");
        var output = JsonOutput.File();
        var command = new Command("serve", "Serve a database over HTTP: queries, durable commits, bitmaps, imports, statistics, health, Prometheus metrics, OpenAPI and a web console at /.")
        {
            db, urls, tokenFile, workers, cpus, json, output,
        };
        command.SetAction(parse =>
        {
            var count = parse.GetValue(workers);
            if (count < 0)
            {
                throw new UserException("--workers must be 0 or more");
            }
            var options = new ServerOptions
            {
                DatabasePath = parse.GetValue(db)!,
                Urls = parse.GetValue(urls)!.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
                TokenFile = parse.GetValue(tokenFile),
                Workers = count,
                Cpus = IsolationArguments.Cpus(parse.GetValue(cpus)),
            };
            Serve(options, parse, json, output).GetAwaiter().GetResult();
            return CommandLineRunner.ExitOk;
        });
        return command;
    }

    private static async Task Serve(ServerOptions options, ParseResult parse, Option<bool> json, Option<string?> output)
    {
        var server = await BitfuseServer.StartAsync(options).ConfigureAwait(false);
        try
        {
            var report = new ServeReport([.. server.Urls.Select(u => u.ToString().TrimEnd('/'))], server.ReadsNeedToken, server.TokenPath, server.Database.FolderPath,
                [.. server.Workers.Select(w => new WorkerReport(w.Cpu, w.Pinned))]);
            JsonOutput.Emit(report, parse, json, output, () => Render(report));
            Console.Out.Flush();
            await server.WaitForShutdownAsync().ConfigureAwait(false);
        }
        finally
        {
            await server.StopAsync().ConfigureAwait(false);
            if (!parse.GetValue(json))
            {
                Console.Out.WriteLine("stopped: checkpointed and closed");
            }
        }
    }

    private static void Render(ServeReport report)
    {
        foreach (var url in report.Urls)
        {
            Console.Out.WriteLine($"listening on {url}");
        }
        Console.Out.WriteLine(report.ReadsNeedToken
            ? $"reads and writes need the bearer token in {report.TokenPath}"
            : $"reads are open; writes need the bearer token in {report.TokenPath}");
        foreach (var worker in report.Workers)
        {
            Console.Out.WriteLine($"query worker on CPU {worker.Cpu}{(worker.Pinned ? "" : " (not pinned: the kernel refused)")}");
        }
    }

    private sealed record ServeReport(IReadOnlyList<string> Urls, bool ReadsNeedToken, string TokenPath, string Database, IReadOnlyList<WorkerReport> Workers);

    private sealed record WorkerReport(int Cpu, bool Pinned);
}
