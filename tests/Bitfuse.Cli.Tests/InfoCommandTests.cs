using System.CommandLine;
using System.Runtime.Intrinsics;
using System.Text.Json;

namespace Bitfuse.Cli.Tests;

[Collection(ConsoleCollection.Name)]
public sealed class InfoCommandTests
{
    [Fact]
    public void Info_json_reports_the_simd_paths_this_process_takes()
    {
        var (exit, output, _) = CliRun.Capture("info", "--json");

        Assert.Equal(0, exit);
        using var doc = JsonDocument.Parse(output);
        var simd = doc.RootElement.GetProperty("simd");
        Assert.Equal(Vector512.IsHardwareAccelerated, simd.GetProperty("vector512").GetBoolean());
        Assert.Equal(Vector256.IsHardwareAccelerated, simd.GetProperty("vector256").GetBoolean());
        Assert.Equal(Vector128.IsHardwareAccelerated, simd.GetProperty("vector128").GetBoolean());
        Assert.Equal(Environment.ProcessorCount, doc.RootElement.GetProperty("logical_cores").GetInt32());
        Assert.StartsWith(".NET", doc.RootElement.GetProperty("runtime").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_verb_is_bad_usage()
    {
        var (exit, _, error) = CliRun.Capture("no-such-verb");

        Assert.Equal(2, exit);
        Assert.Contains("no-such-verb", error, StringComparison.Ordinal);
        Assert.Contains("see 'bitfuse --help'", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("query")]
    [InlineData("query", "a", "--bogus")]
    [InlineData("info", "--bogus")]
    [InlineData("isolation", "prepare")]
    [InlineData("isolation", "undo")]
    [InlineData("demo", "--runs", "many")]
    public void Parse_errors_exit_with_2_on_every_verb(params string[] args)
    {
        var (exit, output, error) = CliRun.Capture(args);

        Assert.Equal(2, exit);
        Assert.Equal("", output);
        Assert.StartsWith("error: ", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_verb_has_the_json_switch_and_the_output_option()
    {
        static IEnumerable<Command> Leaves(Command command) =>
            command.Subcommands.Count == 0 ? [command] : command.Subcommands.SelectMany(Leaves);

        var leaves = Leaves(Verbs.Root()).ToArray();
        Assert.Equal(7, leaves.Length);
        foreach (var verb in leaves)
        {
            var json = verb.Options.SingleOrDefault(o => o.Name == "--json");
            Assert.True(json is Option<bool>, $"{verb.Name}: --json is not a switch");
            Assert.Contains(verb.Options, o => o.Name == "--output");
        }
    }

    [Fact]
    public void Help_lists_the_info_verb()
    {
        var (exit, output, _) = CliRun.Capture("--help");

        Assert.Equal(0, exit);
        Assert.Contains("info", output, StringComparison.Ordinal);
    }
}
