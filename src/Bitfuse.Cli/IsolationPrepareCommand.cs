using System.CommandLine;
using System.Globalization;
using Bitfuse.Isolation;
using Bitfuse.Isolation.Pinning;
using Bitfuse.Isolation.SystemChanges;
using Spectre.Console;

namespace Bitfuse.Cli;

/// <summary>
/// <c>bitfuse isolation prepare</c>: plan the machine-wide changes that clear CPUs, and with <c>--apply</c> (as
/// root) make them. The plan is always shown first; applying asks for confirmation at a terminal, or takes
/// <c>--yes</c>. The undo file goes to a state folder that is named in the output.
/// </summary>
internal static class IsolationPrepareCommand
{
    public static Command Create()
    {
        var cpus = new Option<string>("--cpus") { Description = "The CPUs to clear of IRQs, kernel threads and unbound work (cpulist).", Required = true };
        var apply = new Option<bool>("--apply") { Description = "Make the changes (root only), after showing the plan and asking for confirmation. Without it, only print the plan." };
        var yes = new Option<bool>("--yes") { Description = "With --apply: do not ask for confirmation (needed when standard input is not a terminal, and with --json)." };
        var stateDir = new Option<string?>("--state-dir") { Description = "The folder for undo files. Default: $BITFUSE_STATE_DIR, else $XDG_STATE_HOME/bitfuse, else ~/.local/state/bitfuse." };
        var undo = new Option<string?>("--undo-file") { Description = "Write the undo record to this file instead of a new file in the state folder." };
        var partition = new Option<bool>("--partition") { Description = "Also create a cgroup-v2 isolated cpuset partition (kernel 6.1+)." };
        var root = new Option<string>("--root") { Description = "Act on /proc and /sys under this folder instead of / (for saved trees).", DefaultValueFactory = _ => "/" };
        var json = JsonOutput.Switch("the plan and what was applied");
        var output = JsonOutput.File();
        var command = new Command("prepare", "Plan the machine-wide changes that clear CPUs (IRQ affinity, kernel threads, workqueue mask, partition); --apply makes them.")
        {
            cpus, apply, yes, stateDir, undo, partition, root, json, output,
        };
        command.SetAction(parse =>
        {
            var systemRoot = IsolationUndoCommand.Root(parse.GetValue(root));
            var chosen = IsolationArguments.Cpus(parse.GetValue(cpus))!;
            SystemPlan plan;
            try
            {
                plan = SystemPlan.Build(systemRoot, chosen, parse.GetValue(partition));
            }
            catch (ArgumentException e)
            {
                throw new UserException(e.Message);
            }
            var asJson = parse.GetValue(json);
            var console = IsolationConsole.Create();
            if (!parse.GetValue(apply))
            {
                JsonOutput.Emit(PrepareReport.From(plan, applied: false, null, []), parse, json, output, () =>
                {
                    console.MarkupLine(Markup.Escape($"dry run: {plan.Changes.Count} changes would move work from CPUs {plan.Cpus} to CPUs {plan.Housekeeping} (add --apply, as root, to make them):"));
                    ShowPlan(console, plan);
                });
                return CommandLineRunner.ExitOk;
            }
            if (!parse.GetValue(yes))
            {
                if (asJson || Console.IsInputRedirected)
                {
                    throw new UserException($"--apply would change {plan.Changes.Count} machine-wide settings; add --yes to confirm (there is no terminal to ask at)");
                }
                console.MarkupLine(Markup.Escape($"{plan.Changes.Count} changes will move work from CPUs {plan.Cpus} to CPUs {plan.Housekeeping}:"));
                ShowPlan(console, plan);
                console.Markup(Markup.Escape($"apply these {plan.Changes.Count} changes now? [y/N] "));
                var answer = Console.ReadLine()?.Trim();
                if (!string.Equals(answer, "y", StringComparison.OrdinalIgnoreCase) && !string.Equals(answer, "yes", StringComparison.OrdinalIgnoreCase))
                {
                    throw new UserException("not confirmed; nothing was changed", CommandLineRunner.ExitFailure);
                }
            }
            var undoPath = parse.GetValue(undo) ?? NewUndoFile(parse.GetValue(stateDir));
            // Task ids in a saved tree name no task of this machine: never move real tasks for it.
            Func<int, CpuSet, string?>? setTaskAffinity = systemRoot.IsLive ? null : (_, _) => "not applied: the root is a saved tree, and its task ids are not this machine's";
            var steps = SystemChangeSet.Apply(plan, systemRoot, undoPath, setTaskAffinity);
            var exit = steps.All(s => s.Done) ? CommandLineRunner.ExitOk : CommandLineRunner.ExitFailure;
            JsonOutput.Emit(PrepareReport.From(plan, applied: true, undoPath, steps), parse, json, output,
                () => IsolationUndoCommand.Report(console, steps, $"undo file: {undoPath} (revert with: bitfuse isolation undo {undoPath})"));
            return exit;
        });
        return command;
    }

    /// <summary>The state folder named by <paramref name="option"/> or the environment, created when missing.</summary>
    public static string StateFolder(string? option)
    {
        var folder = option
            ?? Environment.GetEnvironmentVariable("BITFUSE_STATE_DIR")
            ?? (Environment.GetEnvironmentVariable("XDG_STATE_HOME") is { Length: > 0 } xdg ? Path.Combine(xdg, "bitfuse") : null)
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "state", "bitfuse");
        Directory.CreateDirectory(folder);
        return folder;
    }

    private static string NewUndoFile(string? stateDir) =>
        Path.Combine(StateFolder(stateDir), $"isolation-undo-{DateTime.UtcNow.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture)}-{Environment.ProcessId}.json");

    private static void ShowPlan(IAnsiConsole console, SystemPlan plan)
    {
        foreach (var change in plan.Changes)
        {
            console.MarkupLine("  " + Markup.Escape(SystemChangeSet.Describe(change)));
        }
        foreach (var skip in plan.Skipped)
        {
            console.MarkupLine("  [grey]skipped:[/] " + Markup.Escape(skip));
        }
    }

    private sealed record PrepareReport(string Cpus, string Housekeeping, IReadOnlyList<PlannedChange> Changes, IReadOnlyList<string> Skipped,
        bool Applied, string? UndoFile, IReadOnlyList<PreparationStep> Steps)
    {
        public static PrepareReport From(SystemPlan plan, bool applied, string? undoFile, IReadOnlyList<PreparationStep> steps) =>
            new(plan.Cpus.ToString(), plan.Housekeeping.ToString(),
                [.. plan.Changes.Select(c => new PlannedChange(SystemChangeSet.Describe(c), c.Kind.ToString(), c.Target, c.Before, c.After, c.Reason))],
                plan.Skipped, applied, undoFile, steps);
    }

    private sealed record PlannedChange(string Description, string Kind, string Target, string? Before, string After, string Reason);
}
