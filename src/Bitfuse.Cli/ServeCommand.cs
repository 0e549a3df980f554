using System.CommandLine;
using Bitfuse.Server;

namespace Bitfuse.Cli;

/// <summary><c>bitfuse serve</c>: the HTTP API and web console over a database, until SIGINT or SIGTERM.</summary>
internal static class ServeCommand
{
    public static Command Create()
    {
        var db = new Option<string>("--db") { Description = "The database folder (created when absent).", Required = true };
        var urls = new Option<string>("--urls")
        {
            Description = $"Where to listen, ';' between several (default {ServerOptions.DefaultUrl}; port 0 picks a free port). An address other than loopback needs --token-file.",
            DefaultValueFactory = _ => ServerOptions.DefaultUrl,
        };
        var tokenFile = new Option<string?>("--token-file") { Description = "A file holding the bearer token; with it, reads need the token too. Without it, reads are open and writes need a token written to DIR/server.token." };
        var workers = new Option<int>("--workers") { Description = "Run queries on N dedicated threads pinned to the CPUs of --cpus in turn (default: the thread pool)." };
        var cpus = new Option<string?>("--cpus") { Description = "The CPUs query workers are pinned to, for example 2-3 or 1,3 (default: every CPU the process may use)." };
        var command = new Command("serve", "Serve a database over HTTP: queries, durable commits, bitmaps, imports, statistics, health, Prometheus metrics, OpenAPI and a web console at /.")
        {
            db, urls, tokenFile, workers, cpus,
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
            Serve(options).GetAwaiter().GetResult();
            return CommandLineRunner.ExitOk;
        });
        return command;
    }

    private static async Task Serve(ServerOptions options)
    {
        var server = await BitfuseServer.StartAsync(options).ConfigureAwait(false);
        try
        {
            foreach (var url in server.Urls)
            {
                Console.Out.WriteLine($"listening on {url.ToString().TrimEnd('/')}");
            }
            Console.Out.WriteLine(server.ReadsNeedToken
                ? $"reads and writes need the bearer token in {server.TokenPath}"
                : $"reads are open; writes need the bearer token in {server.TokenPath}");
            foreach (var worker in server.Workers)
            {
                Console.Out.WriteLine($"query worker on CPU {worker.Cpu}{(worker.Pinned ? "" : " (not pinned: the kernel refused)")}");
            }
            Console.Out.Flush();
            await server.WaitForShutdownAsync().ConfigureAwait(false);
        }
        finally
        {
            await server.StopAsync().ConfigureAwait(false);
            Console.Out.WriteLine("stopped: checkpointed and closed");
        }
    }
}
