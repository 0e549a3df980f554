using System.CommandLine;
using Bitfuse.Isolation;
using Bitfuse.Isolation.Pinning;
using Bitfuse.Isolation.SystemChanges;
using Spectre.Console;

namespace Bitfuse.Cli;

/// <summary><c>bitfuse isolation prepare</c>: plan (and with <c>--apply</c>, as root, make) the machine-wide changes that clear CPUs.</summary>
internal static class IsolationPrepareCommand
{
    public static Command Create()
    {
        var cpus = new Option<string>("--cpus") { Description = "The CPUs to clear of IRQs, kernel threads and unbound work (cpulist).", Required = true };
        var apply = new Option<bool>("--apply") { Description = "Make the changes (root only). Without it, only print the plan." };
        var undo = new Option<string>("--undo-file") { Description = "Where to record the changes for 'bitfuse isolation undo'.", DefaultValueFactory = _ => "bitfuse-isolation-undo.json" };
        var partition = new Option<bool>("--partition") { Description = "Also create a cgroup-v2 isolated cpuset partition (kernel 6.1+)." };
        var root = new Option<string>("--root") { Description = "Act on /proc and /sys under this folder instead of / (for saved trees).", DefaultValueFactory = _ => "/" };
        var command = new Command("prepare", "Plan the machine-wide changes that clear CPUs (IRQ affinity, kernel threads, workqueue mask, partition); --apply makes them.")
        {
            cpus, apply, undo, partition, root,
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
            var console = IsolationConsole.Create();
            if (!parse.GetValue(apply))
            {
                console.MarkupLine(Markup.Escape($"dry run: {plan.Changes.Count} changes would move work from CPUs {plan.Cpus} to CPUs {plan.Housekeeping} (add --apply, as root, to make them):"));
                foreach (var change in plan.Changes)
                {
                    console.MarkupLine("  " + Markup.Escape(SystemChangeSet.Describe(change)));
                }
                foreach (var skip in plan.Skipped)
                {
                    console.MarkupLine("  [grey]skipped:[/] " + Markup.Escape(skip));
                }
                return CommandLineRunner.ExitOk;
            }
            var undoPath = parse.GetValue(undo)!;
            var steps = SystemChangeSet.Apply(plan, systemRoot, undoPath);
            return IsolationUndoCommand.Report(console, steps, $"undo file: {undoPath}");
        });
        return command;
    }
}
