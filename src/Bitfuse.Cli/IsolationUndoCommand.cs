using System.CommandLine;
using Bitfuse.Isolation;
using Bitfuse.Isolation.Pinning;
using Bitfuse.Isolation.SystemChanges;
using Spectre.Console;

namespace Bitfuse.Cli;

/// <summary><c>bitfuse isolation undo FILE</c>: put back what <c>prepare --apply</c> changed.</summary>
internal static class IsolationUndoCommand
{
    public static Command Create()
    {
        var file = new Argument<string>("undo-file") { Description = "The undo file written by 'bitfuse isolation prepare --apply'." };
        var root = new Option<string>("--root") { Description = "The root the changes were made under.", DefaultValueFactory = _ => "/" };
        var json = JsonOutput.Switch("what was reverted");
        var output = JsonOutput.File();
        var command = new Command("undo", "Revert the changes recorded in an undo file (root only).") { file, root, json, output };
        command.SetAction(parse =>
        {
            var path = parse.GetValue(file)!;
            if (!File.Exists(path))
            {
                throw new UserException($"no such undo file: {path}");
            }
            var systemRoot = Root(parse.GetValue(root));
            Func<int, CpuSet, string?>? setTaskAffinity = systemRoot.IsLive ? null : (_, _) => "not applied: the root is a saved tree, and its task ids are not this machine's";
            var steps = SystemChangeSet.Undo(path, systemRoot, setTaskAffinity);
            var console = IsolationConsole.Create();
            JsonOutput.Emit(new UndoReport(path, steps), parse, json, output, () => Report(console, steps, $"reverted from {path}"));
            return steps.All(s => s.Done) ? CommandLineRunner.ExitOk : CommandLineRunner.ExitFailure;
        });
        return command;
    }

    internal static SystemRoot Root(string? path)
    {
        path ??= "/";
        if (!Directory.Exists(path))
        {
            throw new UserException($"no such root folder: {path}");
        }
        return new SystemRoot(path);
    }

    internal static void Report(IAnsiConsole console, IReadOnlyList<PreparationStep> steps, string footer)
    {
        foreach (var step in steps)
        {
            console.MarkupLine($"{(step.Done ? "[green]done[/]   " : "[red]refused[/]")} {Markup.Escape(step.Action)}: {Markup.Escape(step.Detail)}");
        }
        console.MarkupLine(Markup.Escape($"{steps.Count(s => s.Done)} done, {steps.Count(s => !s.Done)} refused; {footer}"));
    }

    private sealed record UndoReport(string UndoFile, IReadOnlyList<PreparationStep> Steps);
}
