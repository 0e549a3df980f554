using System.Text.Json;

namespace Bitfuse.Cli.Tests;

[Collection(ConsoleCollection.Name)]
public sealed class IsolationCommandTests
{
    private static string Fixture(string name)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Bitfuse.slnx")))
            {
                return Path.Combine(dir.FullName, "tests", "Bitfuse.Isolation.Tests", "Fixtures", name);
            }
        }
        throw new DirectoryNotFoundException("repository root not found");
    }

    private static int LastCpu => Environment.ProcessorCount - 1;

    [Fact]
    public void Audit_json_lists_every_check_for_this_machine()
    {
        var (exit, output, _) = CliRun.Capture("isolation", "audit", "--json");

        Assert.Equal(0, exit);
        using var doc = JsonDocument.Parse(output);
        var items = doc.RootElement.GetProperty("items");
        Assert.True(items.GetArrayLength() >= 31);
        Assert.All(items.EnumerateArray(), i => Assert.Contains(i.GetProperty("verdict").GetString(), new[] { "ok", "warn", "fail", "cannot_verify" }));
    }

    [Fact]
    public void Strict_audit_of_a_vm_tree_fails_and_names_the_missing_isolation()
    {
        var (exit, output, _) = CliRun.Capture("isolation", "audit", "--root", Fixture("vm"), "--strict");

        Assert.Equal(1, exit);
        Assert.Contains("no isolated CPUs", output, StringComparison.Ordinal);
        Assert.Contains("CONFIG_NO_HZ_FULL", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Strict_audit_of_the_isolated_server_tree_passes()
    {
        var (exit, output, _) = CliRun.Capture("isolation", "audit", "--root", Fixture("isolated-server"), "--strict");

        Assert.Equal(0, exit);
        Assert.Contains("0 warn, 0 fail", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { "isolation", "audit", "--cpus", "0-a" }, "expected a CPU number at position 2")]
    [InlineData(new[] { "isolation", "noise", "--cpus", "4000" }, "CPU 4000 is not online")]
    [InlineData(new[] { "isolation", "noise", "--duration", "5x" }, "unknown unit 'x'")]
    [InlineData(new[] { "isolation", "noise", "--duration", "soon" }, "invalid duration 'soon'")]
    [InlineData(new[] { "isolation", "noise", "--threshold", "0us" }, "must be positive")]
    [InlineData(new[] { "isolation", "noise", "--max-noise-pct", "150" }, "from 0 to 100")]
    [InlineData(new[] { "isolation", "noise", "--plot", "out.gif" }, ".svg or .png")]
    [InlineData(new[] { "isolation", "noise", "--clock", "sundial" }, "invalid clock 'sundial'")]
    [InlineData(new[] { "isolation", "undo", "/no/such/undo.json" }, "no such undo file")]
    [InlineData(new[] { "isolation", "prepare", "--cpus", "0-1", "--root", "/no/such/root" }, "no such root folder")]
    public void Bad_input_is_one_line_and_the_usage_exit_code(string[] args, string expected)
    {
        var (exit, _, error) = CliRun.Capture(args);

        Assert.Equal(2, exit);
        Assert.Contains(expected, error, StringComparison.Ordinal);
        Assert.Single(error.Trim().Split('\n'));
    }

    [Fact]
    public void Noise_writes_json_csv_and_plots()
    {
        var dir = Directory.CreateTempSubdirectory("bitfuse-noise-cli");
        try
        {
            var json = Path.Combine(dir.FullName, "noise.json");
            var csv = Path.Combine(dir.FullName, "noise.csv");
            var svg = Path.Combine(dir.FullName, "noise.svg");
            var (exit, output, _) = CliRun.Capture("isolation", "noise", "--cpus", LastCpu.ToString(System.Globalization.CultureInfo.InvariantCulture),
                "--duration", "200ms", "--threshold", "500ns", "--output", json, "--csv", csv, "--plot", svg);

            Assert.Equal(0, exit);
            Assert.Contains("noise per CPU", output, StringComparison.Ordinal);
            using var doc = JsonDocument.Parse(File.ReadAllText(json));
            Assert.Equal(2, doc.RootElement.GetProperty("schema_version").GetInt32());
            Assert.Equal(500, doc.RootElement.GetProperty("threshold_ns").GetDouble());
            var events = doc.RootElement.GetProperty("cpus")[0].GetProperty("events").GetArrayLength();
            var lines = File.ReadAllLines(csv);
            Assert.Equal("cpu,offset_ns,gap_ns,cause_kind,cause,detail", lines[0]);
            Assert.Equal(events, lines.Length - 1);
            Assert.StartsWith("<svg", File.ReadAllText(svg), StringComparison.Ordinal);

            var png = Path.Combine(dir.FullName, "noise.png");
            var (pngExit, _, _) = CliRun.Capture("isolation", "noise", "--cpus", LastCpu.ToString(System.Globalization.CultureInfo.InvariantCulture), "--duration", "100ms", "--plot", png);
            Assert.Equal(0, pngExit);
            Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47 }, File.ReadAllBytes(png)[..4]);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public void Noise_exits_non_zero_when_a_limit_is_crossed()
    {
        var (exit, _, error) = CliRun.Capture("isolation", "noise", "--cpus", LastCpu.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--duration", "100ms", "--max-gap", "1ns");

        Assert.Equal(1, exit);
        Assert.Contains("max gap", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Prepare_is_a_dry_run_by_default()
    {
        var (exit, output, _) = CliRun.Capture("isolation", "prepare", "--cpus", "1", "--root", Fixture("vm"));

        Assert.Equal(0, exit);
        Assert.Contains("dry run", output, StringComparison.Ordinal);
        Assert.Contains("proc/irq/36/smp_affinity_list: 0-1 -> 0", output, StringComparison.Ordinal);
        Assert.Equal("0-1", File.ReadAllText(Path.Combine(Fixture("vm"), "proc/irq/36/smp_affinity_list")).Trim());
    }

    private static DirectoryInfo CopyOfFixture(string name)
    {
        var copy = Directory.CreateTempSubdirectory("bitfuse-prepare-");
        foreach (var file in Directory.GetFiles(Fixture(name), "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(copy.FullName, Path.GetRelativePath(Fixture(name), file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
        return copy;
    }

    [Fact]
    public void Apply_without_yes_and_without_a_terminal_changes_nothing_and_asks_for_yes()
    {
        var tree = CopyOfFixture("vm");
        var state = Directory.CreateTempSubdirectory("bitfuse-state-");
        try
        {
            var irq = Path.Combine(tree.FullName, "proc/irq/36/smp_affinity_list");
            var (exit, _, error) = CliRun.Capture("isolation", "prepare", "--cpus", "1", "--root", tree.FullName, "--apply", "--state-dir", state.FullName);

            Assert.Equal(2, exit);
            Assert.Contains("add --yes to confirm", error, StringComparison.Ordinal);
            Assert.Equal("0-1", File.ReadAllText(irq).Trim());
            Assert.Empty(Directory.GetFiles(state.FullName));
        }
        finally
        {
            tree.Delete(recursive: true);
            state.Delete(recursive: true);
        }
    }

    [Fact]
    public void Apply_with_yes_writes_the_undo_file_to_the_state_folder_it_names_and_undo_reverts()
    {
        var tree = CopyOfFixture("vm");
        var state = Directory.CreateTempSubdirectory("bitfuse-state-");
        try
        {
            var irq = Path.Combine(tree.FullName, "proc/irq/36/smp_affinity_list");
            var (exit, output, _) = CliRun.Capture("isolation", "prepare", "--cpus", "1", "--root", tree.FullName, "--apply", "--yes", "--state-dir", state.FullName, "--json");

            // Task moves are refused for a saved tree (its task ids are not this machine's), so the run reports a failure.
            using var doc = JsonDocument.Parse(output);
            Assert.True(doc.RootElement.GetProperty("applied").GetBoolean());
            var undoFile = doc.RootElement.GetProperty("undo_file").GetString()!;
            Assert.Equal(state.FullName, Path.GetDirectoryName(undoFile));
            Assert.True(File.Exists(undoFile));
            var steps = doc.RootElement.GetProperty("steps").EnumerateArray().ToArray();
            Assert.Equal(doc.RootElement.GetProperty("changes").GetArrayLength(), steps.Length);
            Assert.Equal(steps.All(s => s.GetProperty("done").GetBoolean()) ? 0 : 1, exit);
            Assert.Equal("0", File.ReadAllText(irq).Trim());

            var (undoExit, undoOutput, undoError) = CliRun.Capture("isolation", "undo", undoFile, "--root", tree.FullName);
            Assert.True(undoExit is 0 or 1, undoError);
            Assert.Contains($"reverted from {undoFile}", undoOutput, StringComparison.Ordinal);
            Assert.Equal("0-1", File.ReadAllText(irq).Trim());
        }
        finally
        {
            tree.Delete(recursive: true);
            state.Delete(recursive: true);
        }
    }
}
