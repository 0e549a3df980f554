using System.CommandLine;
using System.Text.Json;
using Bitfuse.Isolation;
using Bitfuse.Isolation.Audit;
using Bitfuse.Isolation.Noise;
using Spectre.Console;

namespace Bitfuse.Cli;

/// <summary><c>bitfuse isolation audit</c>: every checklist item with its verdict, reason and hint.</summary>
internal static class IsolationAuditCommand
{
    public static Command Create()
    {
        var cpus = new Option<string?>("--cpus") { Description = "The CPUs to audit (cpulist, e.g. 2-3). Default: the isolated CPUs, else all but CPU 0." };
        var json = JsonOutput.Switch("the audit");
        var output = JsonOutput.File();
        var strict = new Option<bool>("--strict") { Description = "Exit with 1 when any item is warn or fail." };
        var root = new Option<string>("--root") { Description = "Read /proc and /sys under this folder instead of / (for saved trees).", DefaultValueFactory = _ => "/" };
        var command = new Command("audit", "Check this machine's CPU isolation without root: boot parameters, IRQs, kernel threads, power, clocks, limits.")
        {
            cpus, json, output, strict, root,
        };
        command.SetAction(parse =>
        {
            var rootPath = parse.GetValue(root) ?? "/";
            if (!Directory.Exists(rootPath))
            {
                throw new UserException($"no such root folder: {rootPath}");
            }
            var report = IsolationAudit.Run(new SystemRoot(rootPath), IsolationArguments.Cpus(parse.GetValue(cpus)));
            JsonOutput.Emit(JsonSerializer.Serialize(report, NoiseReportJson.Options), parse, json, output, () => Render(report));
            var bad = report.Count(Verdict.Fail) + report.Count(Verdict.Warn);
            return parse.GetValue(strict) && bad > 0 ? CommandLineRunner.ExitFailure : CommandLineRunner.ExitOk;
        });
        return command;
    }

    private static void Render(AuditReport report)
    {
        var console = IsolationConsole.Create();
        var table = new Table().Border(TableBorder.Rounded).AddColumn("check").AddColumn("cpu").AddColumn("verdict").AddColumn("reason and hint");
        foreach (var item in report.Items)
        {
            var verdict = item.Verdict switch
            {
                Verdict.Ok => "[green]ok[/]",
                Verdict.Warn => "[yellow]warn[/]",
                Verdict.Fail => "[red]fail[/]",
                _ => "[grey]cannot verify[/]",
            };
            var text = Markup.Escape(item.Reason) + (item.Hint is null ? "" : $"\n[grey]→ {Markup.Escape(item.Hint)}[/]");
            table.AddRow(Markup.Escape(item.Id), item.Cpu?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "", verdict, text);
        }
        console.Write(table);
        console.MarkupLine(Markup.Escape(report.Summary));
    }
}
