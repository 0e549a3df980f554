using System.CommandLine;
using Bitfuse.Cli;

var root = new RootCommand("Bitfuse: Roaring bitmaps, run-time compiled bitmap queries, and CPU isolation tools.");
foreach (var command in Verbs.All())
{
    root.Subcommands.Add(command);
}

return CommandLineRunner.Run(root, args);
