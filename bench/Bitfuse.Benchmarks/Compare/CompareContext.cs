using System.Diagnostics;
using Spectre.Console;

namespace Bitfuse.Benchmarks.Compare;

/// <summary>
/// What a suite gets from the runner: options, data sets, and the interleaved timer.
/// Timing protocol: warm every side up, calibrate how many calls make one sample, then measure
/// rounds of A B C, B C A, C A B ... (each round starts with the next side) and keep every sample; a row
/// reports each side's median and quartiles and the median of the per-round ratios. Ratios from one run are comparable on
/// a noisy machine because both sides see the same noise; absolute times are for information.
/// </summary>
public sealed class CompareContext
{
    /// <summary>Timed calls after warm-up whose fastest sizes the batch.</summary>
    private const int CalibrationProbes = 5;

    /// <summary>A subject may beat a baseline named <see cref="ReadLimit"/> by this factor (noise); beyond it the limit is wrong.</summary>
    public const double LimitTolerance = 1.05;

    /// <summary>The baseline name of the least memory traffic a case needs: a floor the subject cannot beat.</summary>
    public const string ReadLimit = "read-limit";

    private readonly List<CompareResult> _results = [];
    private readonly List<string> _failures = [];
    private string? _syntheticRoot;

    internal CompareContext(bool quick, string dataDirectory, IAnsiConsole console, int seed)
    {
        Quick = quick;
        Seed = seed;
        DataDirectory = dataDirectory;
        Console = console;
    }

    /// <summary>True for <c>--quick</c>: fewer rounds, shorter samples, smaller inputs where a suite chooses.</summary>
    public bool Quick { get; }

    /// <summary>The seed of this run's generated shapes (printed; <c>--seed</c> replays a run).</summary>
    public int Seed { get; }

    /// <summary>A folder of data sets in the real-data format (one folder per set, one .txt per bitmap).</summary>
    public string DataDirectory { get; }

    /// <summary>The console suites may write notes to.</summary>
    public IAnsiConsole Console { get; }

    /// <summary>The suite now running (set by the runner).</summary>
    public string Suite { get; internal set; } = "";

    /// <summary>Rounds per side: at least 7.</summary>
    public int Rounds => Quick ? 7 : 15;

    /// <summary>How long one sample of one side should take; short calls are batched up to it.</summary>
    public TimeSpan SampleTarget => Quick ? TimeSpan.FromMilliseconds(2) : TimeSpan.FromMilliseconds(10);

    /// <summary>Warm-up per side before calibration.</summary>
    public TimeSpan WarmupTime => Quick ? TimeSpan.FromMilliseconds(20) : TimeSpan.FromMilliseconds(400);

    /// <summary>Everything recorded so far, in order.</summary>
    public IReadOnlyList<CompareResult> Results => _results;

    /// <summary>
    /// The data sets under <see cref="DataDirectory"/> (each a folder holding .txt files), sorted by name.
    /// When that folder has none (a machine without the shared data), generated sets stand in, and a note says so.
    /// </summary>
    public IReadOnlyList<string> DataSetDirectories()
    {
        var sets = RealData.FindDataSets(DataDirectory);
        if (sets.Count > 0)
        {
            return sets;
        }
        if (_syntheticRoot is null)
        {
            _syntheticRoot = SyntheticData.Generate(Path.Combine(Path.GetTempPath(), $"bitfuse-synthetic-{Environment.ProcessId}"));
            Console.MarkupLine($"[yellow]no data sets in {Markup.Escape(DataDirectory)}; using generated ones in {Markup.Escape(_syntheticRoot)}[/]");
        }
        return RealData.FindDataSets(_syntheticRoot);
    }

    /// <summary>Times <paramref name="subject"/> against one baseline and records the row.</summary>
    /// <param name="caseName">The case name (stable: outside checks key on it).</param>
    /// <param name="subject">Bitfuse's side.</param>
    /// <param name="baselineName">The baseline's name in the JSON.</param>
    /// <param name="baseline">The baseline's side.</param>
    /// <param name="operationsPerCall">How many operations one call performs; times are reported per operation.</param>
    public CompareResult Measure(string caseName, Action subject, string baselineName, Action baseline, double operationsPerCall = 1) =>
        Measure(caseName, subject, [(baselineName, baseline)], operationsPerCall)[0];

    /// <summary>Times <paramref name="subject"/> against several single-form baselines, interleaved in one loop, and records a row per baseline.</summary>
    public IReadOnlyList<CompareResult> Measure(string caseName, Action subject, IReadOnlyList<(string Name, Action Run)> baselines,
        double operationsPerCall = 1, IReadOnlyDictionary<string, double>? extra = null, string? note = null) =>
        Measure(caseName, subject, baselines.Select(b => CompareBaseline.Of(b.Name, b.Run)).ToList(), operationsPerCall, extra, note);

    /// <summary>
    /// Times <paramref name="subject"/> against every form of every baseline, interleaved in one loop, and records a
    /// row per baseline against its fastest form (the form is named in the row's note, the number of forms in extra).
    /// </summary>
    public IReadOnlyList<CompareResult> Measure(string caseName, Action subject, IReadOnlyList<CompareBaseline> baselines,
        double operationsPerCall = 1, IReadOnlyDictionary<string, double>? extra = null, string? note = null, bool singleCalls = false)
    {
        var sides = new List<Action> { subject };
        var groups = new List<List<int>>();
        foreach (var baseline in baselines)
        {
            var group = new List<int>();
            foreach (var (_, run) in baseline.Forms)
            {
                group.Add(sides.Count);
                sides.Add(run);
            }
            groups.Add(group);
        }
        var timings = MeasureSides(sides, operationsPerCall, singleCalls);
        var rows = new List<CompareResult>(baselines.Count);
        for (var b = 0; b < baselines.Count; b++)
        {
            var baseline = baselines[b];
            var fastest = timings.Fastest(groups[b]);
            var rowExtra = extra is null ? new Dictionary<string, double>() : new Dictionary<string, double>(extra);
            var rowNote = JoinNotes(note, baseline.Note);
            if (baseline.Forms.Count > 1)
            {
                rowExtra["baseline_forms"] = baseline.Forms.Count;
                rowNote = JoinNotes(rowNote, $"fastest form: {baseline.Forms[fastest - groups[b][0]].Form}");
            }
            var row = timings.Row(Suite, caseName, baseline.Name, 0, fastest, rowExtra, rowNote);
            Record(row);
            rows.Add(row);
        }
        return rows;
    }

    /// <summary>
    /// Times several actions interleaved and returns every side's samples (indexing gives a side's median),
    /// without recording anything (for suites that derive their own rows, such as GB/s). Each round starts with
    /// a different side, so no side always runs right after another one that leaves the caches in its favour.
    /// </summary>
    /// <param name="sides">The actions.</param>
    /// <param name="operationsPerCall">How many operations one call performs; times are reported per operation.</param>
    /// <param name="singleCalls">One warm-up call, then one call per sample and no calibration: for calls so long
    /// (tens of milliseconds) that the usual warm-up would dominate a quick run.</param>
    public SideTimings MeasureSides(IReadOnlyList<Action> sides, double operationsPerCall = 1, bool singleCalls = false)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(operationsPerCall, 0);
        var callsPerSample = new int[sides.Count];
        for (var s = 0; s < sides.Count; s++)
        {
            if (singleCalls)
            {
                sides[s]();
                callsPerSample[s] = 1;
            }
            else
            {
                callsPerSample[s] = Calibrate(sides[s]);
            }
        }
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var samples = new double[sides.Count][];
        for (var s = 0; s < sides.Count; s++)
        {
            samples[s] = new double[Rounds];
        }
        for (var round = 0; round < Rounds; round++)
        {
            for (var step = 0; step < sides.Count; step++)
            {
                var s = (round + step) % sides.Count;
                var action = sides[s];
                var calls = callsPerSample[s];
                var start = Stopwatch.GetTimestamp();
                for (var c = 0; c < calls; c++)
                {
                    action();
                }
                samples[s][round] = Stopwatches.ElapsedNs(start) / (calls * operationsPerCall);
            }
        }
        return new SideTimings(samples);
    }

    /// <summary>
    /// Fails the run unless every side computed the same answer for <paramref name="caseName"/>. Every case calls
    /// this once before timing, for every side and every form of every baseline.
    /// </summary>
    public static void Check(string caseName, IReadOnlyList<(string Side, Answer Answer)> answers)
    {
        var (firstSide, expected) = answers[0];
        foreach (var (side, answer) in answers)
        {
            if (answer != expected)
            {
                throw new AnswerMismatchException($"{caseName}: {side} computed {answer}, {firstSide} computed {expected}");
            }
        }
    }

    /// <summary>Rows that failed a check after timing (a limit that is not a limit); the runner fails the run when any exist.</summary>
    public IReadOnlyList<string> Failures => _failures;

    /// <summary>Deletes generated data sets, if any were made.</summary>
    internal void DeleteGeneratedData()
    {
        if (_syntheticRoot is not null && Directory.Exists(_syntheticRoot))
        {
            Directory.Delete(_syntheticRoot, recursive: true);
        }
    }

    /// <summary>Records a row measured by the suite itself (bytes, percentiles, throughput).</summary>
    public void Record(CompareResult result)
    {
        _results.Add(result);
        // Beating the floor in the median round could be noise on a shared machine; beating it in three rounds of four
        // (the lower quartile of the per-round ratios) by more than the tolerance means the limit is wrong.
        var lowerRatio = result.Extra is not null && result.Extra.TryGetValue("ratio_p25", out var p25) ? p25 : result.Ratio;
        if (result.Baseline == ReadLimit && lowerRatio > LimitTolerance)
        {
            var problem = $"{result.Suite} {result.Case}: the subject beats {ReadLimit} by {result.Ratio:F2}x (lower quartile {lowerRatio:F2}x), so the limit is not a floor";
            // A full run has the rounds to tell; a quick run's few rounds (a smoke test) only warn.
            if (Quick)
            {
                Console.MarkupLine($"  [yellow]warning: {Markup.Escape(problem)} (a quick run only warns; a full run fails)[/]");
            }
            else
            {
                _failures.Add(problem);
            }
        }
        var ratio = result.Ratio == 0 ? "-" : result.Ratio.ToString("F2", System.Globalization.CultureInfo.InvariantCulture);
        Console.MarkupLine($"  [grey]{Markup.Escape(result.Case)} vs {Markup.Escape(result.Baseline)}: {ratio}[/]");
    }

    private static string? JoinNotes(string? a, string? b) =>
        string.IsNullOrEmpty(a) ? b : string.IsNullOrEmpty(b) ? a : $"{a}; {b}";

    private int Calibrate(Action action)
    {
        // Warm up: enough calls for tiered compilation to reach optimized code, bounded by time.
        var warmupNs = WarmupTime.TotalNanoseconds;
        var start = Stopwatch.GetTimestamp();
        var calls = 0;
        double elapsed;
        do
        {
            action();
            calls++;
            elapsed = Stopwatches.ElapsedNs(start);
        }
        while (calls < 2 || (elapsed < warmupNs && calls < 200));

        // The fastest of a few timed calls after warm-up decides the batch size: one call preempted on a busy
        // machine would otherwise shrink every sample to a call or two, timed mostly by the clock itself.
        var perCall = double.MaxValue;
        for (var probe = 0; probe < CalibrationProbes; probe++)
        {
            start = Stopwatch.GetTimestamp();
            action();
            perCall = Math.Min(perCall, Stopwatches.ElapsedNs(start));
        }
        perCall = Math.Max(perCall, 1);
        var target = SampleTarget.TotalNanoseconds;
        return (int)Math.Clamp(Math.Ceiling(target / perCall), 1, 10_000_000);
    }
}
