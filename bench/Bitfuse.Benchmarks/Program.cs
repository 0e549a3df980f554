using System.CommandLine;
using BenchmarkDotNet.Running;
using Bitfuse.Benchmarks.Compare;

var suiteNames = string.Join(", ", CompareRunner.DiscoverSuites().Select(s => s.Name));

var suite = new Argument<string>("suite") { Description = $"The suite to run: {suiteNames}, or all." };
var quick = new Option<bool>("--quick") { Description = "Fewer rounds and shorter samples: every suite in under a minute." };
var data = new Option<string>("--data")
{
    Description = "A folder of data sets (one folder per set, one .txt of comma-separated values per bitmap).",
    DefaultValueFactory = _ => "../shared/datasets/realdata",
};
var json = new Option<string?>("--json") { Description = "Write the results as one JSON array to this file." };
var seed = new Option<int?>("--seed") { Description = "The seed of the generated shapes (a new one each run when absent; every run prints its seed)." };
var compare = new Command("compare", "Time Bitfuse against baselines side by side (interleaved rounds, medians, ratio = baseline / bitfuse).")
{
    suite, quick, data, json, seed,
};
compare.SetAction(parse => CompareRunner.Run(parse.GetValue(suite)!, parse.GetValue(quick), parse.GetValue(data)!, parse.GetValue(json), parse.GetValue(seed)));

var filter = new Argument<string[]>("filter") { Description = "BenchmarkDotNet filters (globs over Type.Method); all when empty.", Arity = ArgumentArity.ZeroOrMore };
var bdn = new Command("bdn", "Run the BenchmarkDotNet suites for deeper, slower measurement.") { filter };
bdn.SetAction(parse =>
{
    var filters = parse.GetValue(filter) ?? [];
    var bdnArgs = new List<string> { "--filter" };
    bdnArgs.AddRange(filters.Length == 0 ? ["*"] : filters);
    BenchmarkSwitcher.FromAssembly(typeof(CompareRunner).Assembly).Run([.. bdnArgs]);
    return 0;
});

var root = new RootCommand("Bitfuse benchmarks: the compare runner and the BenchmarkDotNet suites.") { compare, bdn };
return root.Parse(args).Invoke();
