using System.Diagnostics;
using System.Globalization;
using Bitfuse.Persistence.Crash;
using Xunit.Abstractions;

namespace Bitfuse.Persistence.Tests.Crash;

/// <summary>
/// The kill -9 loop: a child process (Bitfuse.Database.CrashChild) runs a random workload against a database
/// folder and prints each acknowledged commit; the test kills it with SIGKILL at a random moment, after a
/// random number of acknowledgements, or lets it kill itself at a named crash point; then it reopens the
/// folder, runs Verify, and checks the database holds every acknowledged commit and nothing after the one in
/// flight. The next cycle continues on the same folder, so recovery after recovery is exercised too.
/// Two lanes (folders) run side by side. Cycles: <c>BITFUSE_CRASH_CYCLES</c> (default 100).
/// </summary>
public sealed class KillLoopTests(ITestOutputHelper output)
{
    private static readonly string[] Points =
    [
        "commit.before-log", "commit.after-log", "commit.before-sync", "commit.acknowledged",
        "checkpoint.before-new-log", "checkpoint.after-frames", "checkpoint.before-meta", "checkpoint.after-meta",
    ];

    private const int Lanes = 2;

    [Fact]
    public void Kill_9_at_random_moments_and_named_points_keeps_every_acknowledged_commit_and_nothing_more()
    {
        var cycles = CrashSettings.Cycles(100);
        var seed = CrashSettings.Seed(20261207);
        var lanes = new Lane[Lanes];
        Parallel.For(0, Lanes, new ParallelOptions { MaxDegreeOfParallelism = Lanes }, i =>
        {
            lanes[i] = new Lane(seed, i);
            lanes[i].Run(cycles / Lanes + (i < cycles % Lanes ? 1 : 0));
        });

        foreach (var lane in lanes)
        {
            Assert.True(lane.Failure is null, lane.Failure);
        }
        Assert.Equal(cycles, lanes.Sum(l => l.Cycles));
        var killed = lanes.Sum(l => l.Killed);
        var pointKills = Points.ToDictionary(p => p, p => lanes.Sum(l => l.PointKills.GetValueOrDefault(p)));
        // The loop did what it claims: most cycles ended in a kill, and each named point killed a child.
        output.WriteLine($"{cycles} cycles (seed {seed}): {killed} kills, {lanes.Sum(l => l.Acknowledged)} acknowledged commits checked; "
            + $"kills at named points: {string.Join(", ", pointKills.Select(p => $"{p.Key} {p.Value}"))}");
        Assert.True(killed >= cycles / 2, $"only {killed} of {cycles} cycles ended in a kill");
        if (cycles >= 100)
        {
            Assert.All(Points, p => Assert.True(pointKills[p] > 0, $"no child was killed at {p}: {string.Join(", ", pointKills)}"));
        }
        Assert.True(lanes.Sum(l => l.Acknowledged) > 0);
    }

    /// <summary>One database folder and its model, taken through cycles one after another.</summary>
    private sealed class Lane(int seed, int index)
    {
        private readonly Random _random = new(HashCode.Combine(seed, index));
        private readonly int _seed = seed;
        private readonly string _root = Path.Combine(Path.GetTempPath(), $"bitfuse-kill-{Guid.NewGuid():N}");
        private ModelState _state = new();
        private int _pointCycles;

        public string? Failure { get; private set; }

        public int Cycles { get; private set; }

        public int Killed { get; private set; }

        public long Acknowledged { get; private set; }

        public Dictionary<string, int> PointKills { get; } = [];

        public void Run(int cycles)
        {
            var database = Path.Combine(_root, "db");
            var before = Path.Combine(_root, "before");
            Directory.CreateDirectory(database);
            try
            {
                for (var cycle = 0; cycle < cycles && Failure is null; cycle++)
                {
                    if (Directory.Exists(before))
                    {
                        Directory.Delete(before, recursive: true);
                    }
                    CrashCase.CopyFolder(database, before);
                    Failure = RunCycle(database, before, cycle);
                    Cycles++;
                }
            }
            finally
            {
                Directory.Delete(_root, recursive: true);
            }
        }

        private string? RunCycle(string database, string before, int cycle)
        {
            var cycleSeed = _random.Next();
            var mode = _random.Next(3);
            string? point = null;
            var hit = 1;
            if (mode == 0)
            {
                // Every point in turn; the first round stops at the first pass so each point is reached.
                point = Points[_pointCycles % Points.Length];
                hit = _pointCycles < Points.Length ? 1 : _random.Next(1, 4);
                _pointCycles++;
            }
            var transactions = mode == 0 ? _random.Next(15, 23) : _random.Next(4, 21);
            var killAfterAcks = mode == 1 ? _random.Next(transactions + 1) : -1;
            var killAfterMs = mode == 2 ? _random.Next(700) : -1;

            var child = new ChildRun(database, cycleSeed, transactions, point, hit);
            child.Start();
            if (killAfterAcks >= 0)
            {
                child.WaitForAcks(killAfterAcks);
                Thread.Sleep(_random.Next(3));
                child.Kill();
            }
            else if (killAfterMs >= 0)
            {
                Thread.Sleep(killAfterMs);
                child.Kill();
            }
            child.WaitForExit();

            var where = $"cycle {cycle} of lane {index}: child seed {cycleSeed}, {transactions} transactions, "
                + (point is not null ? $"kill at {point} (pass {hit})" : killAfterAcks >= 0 ? $"kill after {killAfterAcks} acks" : $"kill after {killAfterMs} ms")
                + $"; {child.Acks} acknowledged, exit code {child.ExitCode}";
            if (child.HungUp)
            {
                return Keep(database, before, where, [_state], "the child did not finish within its time limit");
            }
            if (child.ExitCode != 0 && !child.WasKilled)
            {
                return Keep(database, before, where, [_state], $"the child failed: {child.Errors}");
            }
            if (child.WasKilled)
            {
                Killed++;
                if (point is not null && !child.KilledByParent)
                {
                    PointKills[point] = PointKills.GetValueOrDefault(point) + 1;
                }
            }
            Acknowledged += child.Acks;

            // Every acknowledged commit must be there; the one in flight may be, whole or not at all.
            var ops = Workload.Transactions(Workload.Generate(cycleSeed, transactions));
            var states = _state.Through(ops.Take(Math.Min(child.Acks + 1, ops.Count)));
            var candidates = states.Skip(child.Acks).ToList();
            var outcome = RecoveryCheck.Run(database, candidates);
            if (outcome.Problem is not null)
            {
                return Keep(database, before, where, candidates, outcome.Problem);
            }
            _state = outcome.State!;
            return null;
        }

        private string Keep(string database, string before, string where, List<ModelState> candidates, string problem)
        {
            var folder = CrashCase.Keep("kill-loop", _seed, where, problem, database, before, candidates);
            return CrashCase.Describe(folder, _seed, $"{where}: {problem}");
        }
    }

    /// <summary>One run of the child process, with its acknowledgements counted as they arrive.</summary>
    private sealed class ChildRun(string database, int seed, int transactions, string? point, int hit)
    {
        private static readonly TimeSpan Limit = TimeSpan.FromSeconds(90);
        private readonly object _gate = new();
        private readonly System.Text.StringBuilder _errors = new();
        private Process? _process;
        private int _acks;
        private bool _exited;

        public int Acks
        {
            get
            {
                lock (_gate)
                {
                    return _acks;
                }
            }
        }

        public int ExitCode { get; private set; }

        public bool KilledByParent { get; private set; }

        /// <summary>Ended by SIGKILL (exit code 128 + 9), from the parent or from itself at a crash point.</summary>
        public bool WasKilled => ExitCode == 137;

        public bool HungUp { get; private set; }

        public string Errors
        {
            get
            {
                lock (_gate)
                {
                    return _errors.ToString();
                }
            }
        }

        public void Start()
        {
            var start = new ProcessStartInfo(DotnetHost())
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Bitfuse.Database.CrashChild.dll"));
            foreach (var argument in (string[])["run", database, Text(seed), Text(transactions), point ?? "-", Text(hit)])
            {
                start.ArgumentList.Add(argument);
            }
            _process = new Process { StartInfo = start };
            _process.OutputDataReceived += (_, e) => OnLine(e.Data);
            _process.ErrorDataReceived += (_, e) =>
            {
                if (e.Data is not null)
                {
                    lock (_gate)
                    {
                        _errors.AppendLine(e.Data);
                    }
                }
            };
            _process.Start();
            _process.BeginOutputReadLine();
            _process.BeginErrorReadLine();
        }

        public void WaitForAcks(int count)
        {
            var deadline = Stopwatch.StartNew();
            lock (_gate)
            {
                while (_acks < count && !_exited && deadline.Elapsed < Limit)
                {
                    Monitor.Wait(_gate, TimeSpan.FromMilliseconds(100));
                }
            }
        }

        public void Kill()
        {
            try
            {
                if (!_process!.HasExited)
                {
                    _process.Kill();
                    KilledByParent = true;
                }
            }
            catch (InvalidOperationException)
            {
                // It exited meanwhile.
            }
        }

        public void WaitForExit()
        {
            if (!_process!.WaitForExit(Limit))
            {
                HungUp = true;
                _process.Kill();
            }
            _process.WaitForExit();
            ExitCode = _process.ExitCode;
            _process.Dispose();
        }

        private void OnLine(string? line)
        {
            lock (_gate)
            {
                if (line is null)
                {
                    _exited = true;
                }
                else if (line.StartsWith("ACK ", StringComparison.Ordinal))
                {
                    _acks = int.Parse(line.AsSpan(4), CultureInfo.InvariantCulture) + 1;
                }
                Monitor.PulseAll(_gate);
            }
        }

        private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);

        private static string DotnetHost() =>
            Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host
            : Environment.ProcessPath is { } self && Path.GetFileNameWithoutExtension(self) == "dotnet" ? self
            : "dotnet";
    }
}
