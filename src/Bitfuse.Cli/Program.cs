using Bitfuse.Cli;

return CommandLineRunner.Run(Verbs.Root(), args);
