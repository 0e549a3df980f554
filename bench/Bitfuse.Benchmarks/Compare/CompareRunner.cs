using System.Globalization;
using System.Text.Json;
using Spectre.Console;

namespace Bitfuse.Benchmarks.Compare;

/// <summary>Finds suites, runs the ones asked for, prints the table grouped by suite and writes the JSON array.</summary>
public static class CompareRunner
{
    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true };

    /// <summary>Every suite in this assembly, by name.</summary>
    public static IReadOnlyList<ICompareSuite> DiscoverSuites() =>
        typeof(CompareRunner).Assembly.GetTypes()
            .Where(t => t is { IsClass: true, IsAbstract: false } && typeof(ICompareSuite).IsAssignableFrom(t) && t.GetConstructor(Type.EmptyTypes) is not null)
            .Select(t => (ICompareSuite)Activator.CreateInstance(t)!)
            .OrderBy(s => s.Name, StringComparer.Ordinal)
            .ToList();

    /// <summary>Runs <paramref name="suiteName"/> (or <c>all</c>) and returns the process exit code.</summary>
    public static int Run(string suiteName, bool quick, string dataDirectory, string? jsonPath, int? seed = null)
    {
        var console = AnsiConsole.Console;
        var suites = DiscoverSuites();
        var selected = suiteName == "all" ? suites : suites.Where(s => s.Name == suiteName).ToList();
        if (selected.Count == 0)
        {
            console.MarkupLine($"[red]error:[/] no suite named '{Markup.Escape(suiteName)}'. Suites: {Markup.Escape(string.Join(", ", suites.Select(s => s.Name)))}, all");
            return 2;
        }

        var context = new CompareContext(quick, RealData.ResolveDirectory(dataDirectory), console, seed ?? Random.Shared.Next());
        console.MarkupLine($"[bold]compare[/] {Markup.Escape(suiteName)}{(quick ? " (quick)" : "")}: {context.Rounds} interleaved rounds per side; " +
            $"data {Markup.Escape(context.DataDirectory)}; shapes seed {context.Seed} (--seed {context.Seed} replays them)");
        try
        {
            foreach (var suite in selected)
            {
                context.Suite = suite.Name;
                console.MarkupLine($"[bold blue]{Markup.Escape(suite.Name)}[/]: {Markup.Escape(suite.Description)}");
                suite.Run(context);
            }
        }
        finally
        {
            context.DeleteGeneratedData();
        }

        console.Write(RenderTable(context.Results));
        if (jsonPath is not null)
        {
            var json = JsonSerializer.Serialize(context.Results, JsonOptions);
            File.WriteAllText(jsonPath, json);
            console.MarkupLine($"wrote {context.Results.Count} rows to {Markup.Escape(jsonPath)}");
        }
        foreach (var failure in context.Failures)
        {
            console.MarkupLine($"[red]failed:[/] {Markup.Escape(failure)}");
        }
        return context.Failures.Count == 0 ? 0 : 1;
    }

    /// <summary>The results as a table grouped by suite: case, baseline, both medians, ratio.</summary>
    public static Table RenderTable(IReadOnlyList<CompareResult> results)
    {
        var table = new Table().Border(TableBorder.Rounded)
            .AddColumn("suite").AddColumn("case").AddColumn("baseline")
            .AddColumn(new TableColumn("bitfuse").RightAligned())
            .AddColumn(new TableColumn("baseline").RightAligned())
            .AddColumn(new TableColumn("ratio").RightAligned());
        foreach (var group in results.GroupBy(r => r.Suite))
        {
            var first = true;
            foreach (var r in group)
            {
                table.AddRow(
                    first ? Markup.Escape(r.Suite) : "",
                    Markup.Escape(r.Case),
                    Markup.Escape(r.Baseline),
                    FormatValue(r.SubjectNs, r.Unit),
                    r.Baseline == "none" ? "-" : FormatValue(r.BaselineNs, r.Unit),
                    r.Ratio == 0 ? "-" : RatioMarkup(r.Ratio));
                first = false;
            }
        }
        return table;
    }

    /// <summary>A value with its unit scaled for reading: ns/µs/ms/s for times, B/KiB/MiB for bytes.</summary>
    public static string FormatValue(double value, string unit)
    {
        var c = CultureInfo.InvariantCulture;
        return unit switch
        {
            "ns" when value >= 1e9 => string.Create(c, $"{value / 1e9:F2} s"),
            "ns" when value >= 1e6 => string.Create(c, $"{value / 1e6:F2} ms"),
            "ns" when value >= 1e3 => string.Create(c, $"{value / 1e3:F2} µs"),
            "ns" => string.Create(c, $"{value:F1} ns"),
            "bytes" when value >= 1 << 20 => string.Create(c, $"{value / (1 << 20):F1} MiB"),
            "bytes" when value >= 1 << 10 => string.Create(c, $"{value / (1 << 10):F1} KiB"),
            _ => string.Create(c, $"{value:G4} {unit}"),
        };
    }

    private static string RatioMarkup(double ratio)
    {
        var text = ratio.ToString("F2", CultureInfo.InvariantCulture);
        return ratio >= 1 ? $"[green]{text}[/]" : $"[yellow]{text}[/]";
    }
}
