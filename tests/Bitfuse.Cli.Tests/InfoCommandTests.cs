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
    [InlineData("db", "stats")]
    [InlineData("db", "add", "--db", "x")]
    [InlineData("db", "query", "--db", "x", "a", "--count", "--values")]
    [InlineData("serve")]
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
        static IEnumerable<(string Path, Command Verb)> Leaves(string prefix, Command command) =>
            command.Subcommands.Count == 0 ? [(prefix + command.Name, command)] : command.Subcommands.SelectMany(c => Leaves(prefix + command.Name + " ", c));

        var leaves = Leaves("", Verbs.Root()).ToArray();
        string[] verbs =
        [
            "bitfuse info", "bitfuse isolation audit", "bitfuse isolation prepare", "bitfuse isolation undo", "bitfuse isolation noise",
            "bitfuse query", "bitfuse demo",
            "bitfuse db create", "bitfuse db import", "bitfuse db add", "bitfuse db remove", "bitfuse db query", "bitfuse db stats",
            "bitfuse db verify", "bitfuse db checkpoint", "bitfuse db export",
            "bitfuse serve",
        ];
        Assert.Equal(verbs.Order(StringComparer.Ordinal), leaves.Select(l => l.Path).Order(StringComparer.Ordinal));
        foreach (var (path, verb) in leaves)
        {
            var json = verb.Options.SingleOrDefault(o => o.Name == "--json");
            Assert.True(json is Option<bool>, $"{path}: --json is not a switch");
            Assert.True(verb.Options.SingleOrDefault(o => o.Name == "--output") is Option<string?>, $"{path}: --output FILE is missing");
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
