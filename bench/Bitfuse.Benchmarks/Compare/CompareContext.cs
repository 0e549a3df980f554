using System.Diagnostics;
using Spectre.Console;

namespace Bitfuse.Benchmarks.Compare;

/// <summary>
/// What a suite gets from the runner: options, data sets, and the interleaved timer.
/// Timing protocol: warm every side up, calibrate how many calls make one sample, then measure
/// rounds of A B C A B C ... and keep the median of each side. Ratios from one run are comparable on
/// a noisy machine because both sides see the same noise; absolute times are for information.
/// </summary>
public sealed class CompareContext
{
    /// <summary>Timed calls after warm-up whose fastest sizes the batch.</summary>
    private const int CalibrationProbes = 5;

    private readonly List<CompareResult> _results = [];
    private string? _syntheticRoot;

    internal CompareContext(bool quick, string dataDirectory, IAnsiConsole console)
    {
        Quick = quick;
        DataDirectory = dataDirectory;
        Console = console;
    }

    /// <summary>True for <c>--quick</c>: fewer rounds, shorter samples, smaller inputs where a suite chooses.</summary>
    public bool Quick { get; }

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

    /// <summary>Times <paramref name="subject"/> against several baselines, interleaved in one loop, and records a row per baseline.</summary>
    public IReadOnlyList<CompareResult> Measure(string caseName, Action subject, IReadOnlyList<(string Name, Action Run)> baselines,
        double operationsPerCall = 1, IReadOnlyDictionary<string, double>? extra = null, string? note = null)
    {
        var sides = new Action[baselines.Count + 1];
        sides[0] = subject;
        for (var i = 0; i < baselines.Count; i++)
        {
            sides[i + 1] = baselines[i].Run;
        }
        var medians = MeasureSides(sides, operationsPerCall);
        var rows = new List<CompareResult>(baselines.Count);
        for (var i = 0; i < baselines.Count; i++)
        {
            var row = CompareResult.Of(Suite, caseName, baselines[i].Name, medians[0], medians[i + 1], rounds: Rounds, extra: extra, note: note);
            Record(row);
            rows.Add(row);
        }
        return rows;
    }

    /// <summary>
    /// Times several actions interleaved and returns the median nanoseconds per operation of each,
    /// without recording anything (for suites that derive their own rows, such as GB/s).
    /// </summary>
    public double[] MeasureSides(IReadOnlyList<Action> sides, double operationsPerCall = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(operationsPerCall, 0);
        var callsPerSample = new int[sides.Count];
        for (var s = 0; s < sides.Count; s++)
        {
            callsPerSample[s] = Calibrate(sides[s]);
        }
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var samples = new List<double>[sides.Count];
        for (var s = 0; s < sides.Count; s++)
        {
            samples[s] = new List<double>(Rounds);
        }
        for (var round = 0; round < Rounds; round++)
        {
            for (var s = 0; s < sides.Count; s++)
            {
                var action = sides[s];
                var calls = callsPerSample[s];
                var start = Stopwatch.GetTimestamp();
                for (var c = 0; c < calls; c++)
                {
                    action();
                }
                samples[s].Add(Stopwatches.ElapsedNs(start) / (calls * operationsPerCall));
            }
        }
        var medians = new double[sides.Count];
        for (var s = 0; s < sides.Count; s++)
        {
            medians[s] = Stopwatches.Median(samples[s]);
        }
        return medians;
    }

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
        var ratio = result.Ratio == 0 ? "-" : result.Ratio.ToString("F2", System.Globalization.CultureInfo.InvariantCulture);
        Console.MarkupLine($"  [grey]{Markup.Escape(result.Case)} vs {Markup.Escape(result.Baseline)}: {ratio}[/]");
    }

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
