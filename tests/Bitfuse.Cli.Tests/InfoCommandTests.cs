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
    public void Unknown_verb_fails_with_a_non_zero_exit_code()
    {
        var (exit, _, _) = CliRun.Capture("no-such-verb");

        Assert.NotEqual(0, exit);
    }

    [Fact]
    public void Help_lists_the_info_verb()
    {
        var (exit, output, _) = CliRun.Capture("--help");

        Assert.Equal(0, exit);
        Assert.Contains("info", output, StringComparison.Ordinal);
    }
}
