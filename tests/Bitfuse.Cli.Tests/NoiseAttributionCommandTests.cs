using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Bitfuse.Isolation;
using Bitfuse.Isolation.Tracing;

namespace Bitfuse.Cli.Tests;

/// <summary>
/// <c>bitfuse isolation noise</c> with attribution: the causes and their advice, the CSV of causes, the run
/// without root, and the tracefs changes put back after SIGTERM and after <c>kill -9</c> (by the next run).
/// As root with tracefs (CI) the traced branch runs; otherwise each test checks the untraced one.
/// </summary>
[Collection(ConsoleCollection.Name)]
public sealed class NoiseAttributionCommandTests
{
    private const string Tracing = "/sys/kernel/tracing";
    private const string Records = "/run/bitfuse";

    private static string LastCpu => (Environment.ProcessorCount - 1).ToString(CultureInfo.InvariantCulture);

    private static bool IsRoot => Environment.UserName == "root";

    private static bool TracefsMounted => File.Exists($"{Tracing}/trace_clock");

    private static string Instance(int pid) => $"{Tracing}/instances/bitfuse-noise-{pid}";

    private static string Record(int pid) => $"{Records}/noise-tracefs-{pid}.json";

    /// <summary>
    /// True when tracefs is as it was before, or still mounted because another live process's run (another test
    /// assembly measuring at the same time) holds it: a mount is handed to the run still using it, by design.
    /// </summary>
    private static bool MountRestored(bool mountedBefore) =>
        TracefsMounted == mountedBefore || (TracefsMounted && OtherLiveRecords().Any());

    private static IEnumerable<int> OtherLiveRecords() =>
        Directory.Exists(Records)
            ? Directory.GetFiles(Records, "noise-tracefs-*.json")
                .Select(f => int.TryParse(Path.GetFileNameWithoutExtension(f)["noise-tracefs-".Length..], out var pid) ? pid : 0)
                .Where(pid => pid > 0 && pid != Environment.ProcessId && Directory.Exists($"/proc/{pid}"))
            : [];

    private static readonly string[] LongRun = ["isolation", "noise", "--cpus", LastCpu, "--duration", "30s"];

    /// <summary>
    /// Starts a 30 s noise run. Without root it is killed at once and checked to leave no undo record, and the
    /// result is null (nothing more to test); as root the running process is returned.
    /// </summary>
    private static Process? StartLongRun()
    {
        var process = Start(asNobody: false, LongRun);
        if (IsRoot)
        {
            return process;
        }
        using (process)
        {
            process.Kill();
            process.WaitForExit();
            Assert.False(File.Exists(Record(process.Id)), "a run without root left an undo record");
        }
        return null;
    }

    /// <summary>Sends SIGTERM to <paramref name="process"/> through kill(1), as a service manager stops a process.</summary>
    private static void Terminate(Process process)
    {
        using var kill = Process.Start("kill", ["-TERM", process.Id.ToString(CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }

    private static int Count(string text, string part)
    {
        var count = 0;
        for (var at = text.IndexOf(part, StringComparison.Ordinal); at >= 0; at = text.IndexOf(part, at + part.Length, StringComparison.Ordinal))
        {
            count++;
        }
        return count;
    }

    /// <summary>Starts the CLI in a process of its own (optionally as the unprivileged user <c>nobody</c>).</summary>
    private static Process Start(bool asNobody, params string[] args)
    {
        var cli = Path.Combine(AppContext.BaseDirectory, "Bitfuse.Cli.dll");
        var info = new ProcessStartInfo(asNobody ? "setpriv" : "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetTempPath(),
        };
        if (asNobody)
        {
            foreach (var a in new[] { "--reuid=65534", "--regid=65534", "--clear-groups", "dotnet" })
            {
                info.ArgumentList.Add(a);
            }
        }
        info.ArgumentList.Add(cli);
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }
        return Process.Start(info) ?? throw new InvalidOperationException("the CLI did not start");
    }

    private static void WaitFor(Func<bool> condition, Process process, string what)
    {
        var deadline = Stopwatch.StartNew();
        while (!condition())
        {
            if (process.HasExited)
            {
                Assert.Fail($"the CLI ended (exit {process.ExitCode}) before {what}: {process.StandardOutput.ReadToEnd()} {process.StandardError.ReadToEnd()}");
            }
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(60), $"waited a minute for {what}");
            Thread.Sleep(50);
        }
    }

    [Fact]
    public void Explain_prints_the_causes_their_shares_and_advice_and_the_csv_names_each_gap()
    {
        var dir = Directory.CreateTempSubdirectory("bitfuse-noise-explain");
        try
        {
            var csv = Path.Combine(dir.FullName, "gaps.csv");
            var json = Path.Combine(dir.FullName, "noise.json");
            var (exit, output, _) = CliRun.Capture("isolation", "noise", "--cpus", LastCpu, "--duration", "300ms", "--explain", "--csv", csv, "--output", json);

            Assert.Equal(0, exit);
            var lines = File.ReadAllLines(csv);
            Assert.Equal("cpu,offset_ns,gap_ns,cause_kind,cause,detail", lines[0]);
            using var doc = JsonDocument.Parse(File.ReadAllText(json));
            var cpu = doc.RootElement.GetProperty("cpus")[0];
            Assert.Equal(cpu.GetProperty("events").GetArrayLength(), lines.Length - 1);
            var traced = doc.RootElement.GetProperty("attribution").GetProperty("kernel_traced").GetBoolean();
            if (!traced)
            {
                Assert.Equal(1, Count(output, "kernel not traced"));
                return;
            }
            Assert.Equal(0, Count(output, "kernel not traced"));
            Assert.Contains($"causes on CPU {LastCpu}", output, StringComparison.Ordinal);
            Assert.All(lines.Skip(1), line => Assert.NotEqual("", line.Split(',')[3]));
            var causes = cpu.GetProperty("causes");
            Assert.True(causes.GetArrayLength() > 0, "a traced run with gaps named no cause");
            // The top cause, its share and its advice are printed as the JSON has them.
            var top = causes[0];
            Assert.Contains($"1. {top.GetProperty("name").GetString()}: {top.GetProperty("share_percent").GetDouble().ToString("F1", CultureInfo.InvariantCulture)} %", output, StringComparison.Ordinal);
            Assert.Contains("fix:", output, StringComparison.Ordinal);
            Assert.Contains(top.GetProperty("advice").GetString()![..30], output.ReplaceLineEndings("").Replace("\n", "", StringComparison.Ordinal), StringComparison.Ordinal);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public void Without_root_it_measures_and_says_once_why_nothing_is_attributed()
    {
        // As root, drop to nobody with util-linux's setpriv (Debian: essential); otherwise this test already runs without root.
        using var process = Start(asNobody: IsRoot, "isolation", "noise", "--cpus", LastCpu, "--duration", "300ms", "--explain");
        var output = process.StandardOutput.ReadToEnd();
        var error = process.StandardError.ReadToEnd();
        Assert.True(process.WaitForExit(60_000), "the CLI did not end");

        Assert.True(process.ExitCode == 0, $"exit {process.ExitCode}: {error}");
        Assert.Contains("noise per CPU", output, StringComparison.Ordinal);
        Assert.Equal(1, Count(output, "kernel not traced"));
        Assert.Contains("needs root", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Sigterm_puts_tracefs_back_before_the_process_ends()
    {
        var mountedBefore = TracefsMounted;
        using var process = StartLongRun();
        if (process is null)
        {
            return;
        }
        WaitFor(() => Directory.Exists(Instance(process.Id)), process, "its tracefs instance");

        Terminate(process);
        Assert.True(process.WaitForExit(30_000), "the CLI did not end on SIGTERM");

        Assert.False(Directory.Exists(Instance(process.Id)), "SIGTERM left the tracefs instance");
        Assert.False(File.Exists(Record(process.Id)), "SIGTERM left the undo record");
        Assert.True(MountRestored(mountedBefore), "tracefs was not put back as it was");
    }

    [Fact]
    public void After_kill_9_the_next_run_puts_tracefs_back()
    {
        var mountedBefore = TracefsMounted;
        using var process = StartLongRun();
        if (process is null)
        {
            return;
        }
        WaitFor(() => Directory.Exists(Instance(process.Id)) && File.Exists(Record(process.Id)), process, "its tracefs instance");

        process.Kill(); // SIGKILL: no handler runs
        process.WaitForExit();
        Assert.True(Directory.Exists(Instance(process.Id)), "the killed run's instance vanished by itself");
        Assert.True(File.Exists(Record(process.Id)), "the killed run left no undo record");

        var json = Path.GetTempFileName();
        try
        {
            var (exit, _, _) = CliRun.Capture("isolation", "noise", "--cpus", LastCpu, "--duration", "100ms", "--output", json);

            Assert.Equal(0, exit);
            using var doc = JsonDocument.Parse(File.ReadAllText(json));
            var stale = doc.RootElement.GetProperty("attribution").GetProperty("stale_restored").EnumerateArray()
                .Select(s => (Action: s.GetProperty("action").GetString()!, Done: s.GetProperty("done").GetBoolean())).ToList();
            Assert.Contains(stale, s => s.Done && s.Action.EndsWith($"instances/bitfuse-noise-{process.Id}", StringComparison.Ordinal));
        }
        finally
        {
            File.Delete(json);
        }
        Assert.False(Directory.Exists(Instance(process.Id)), "the next run left the killed run's instance");
        Assert.False(File.Exists(Record(process.Id)), "the next run left the killed run's undo record");
        Assert.True(MountRestored(mountedBefore), "tracefs was not put back as it was");
    }

    [Fact]
    public void Overlapping_runs_leave_tracefs_mounted_until_the_last_one_ends()
    {
        var cpus = CpuSet.Of(Environment.ProcessorCount - 1);
        if (!IsRoot)
        {
            Assert.Null(KernelTrace.TryStart(SystemRoot.Live, cpus, counterClock: true, TimeSpan.FromSeconds(1), out var why));
            Assert.Contains("needs root", why, StringComparison.Ordinal);
            return;
        }
        var mountedBefore = TracefsMounted;
        var first = KernelTrace.TryStart(SystemRoot.Live, cpus, counterClock: true, TimeSpan.FromSeconds(1), out var unavailable);
        Assert.True(first is not null, unavailable);
        Process? second = null;
        try
        {
            Assert.Equal(!mountedBefore, first.Changes.Any(c => c.Action.StartsWith("mount tracefs", StringComparison.Ordinal)));
            second = Start(asNobody: false, LongRun);
            WaitFor(() => Directory.Exists(Instance(second.Id)), second, "the second run's tracefs instance");

            var steps = first.Restore();

            Assert.All(steps, step => Assert.True(step.Done, $"{step.Action}: {step.Detail}"));
            Assert.False(Directory.Exists(Instance(Environment.ProcessId)), "the first run left its instance");
            Assert.True(TracefsMounted, "the first run unmounted tracefs under the second");
            Assert.True(Directory.Exists(Instance(second.Id)));
            Assert.Equal(!mountedBefore, steps.Any(s => s.Action.StartsWith("hand /sys/kernel/tracing", StringComparison.Ordinal)));
        }
        finally
        {
            first.Restore();
            if (second is not null)
            {
                Terminate(second);
                second.WaitForExit(30_000);
                second.Dispose();
            }
        }
        Assert.True(MountRestored(mountedBefore), "tracefs was not put back as it was");
    }
}
