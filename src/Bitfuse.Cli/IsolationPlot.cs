using System.Globalization;
using System.Text;
using Bitfuse.Isolation.Noise;

namespace Bitfuse.Cli;

/// <summary>
/// Draws a noise report: on the left the gap histogram of each CPU (log-log), on the right every gap over
/// the threshold on a timeline (log gap length against seconds), coloured by its cause when the gaps were
/// attributed (the largest causes by time get a colour each and a legend line with their share; the rest
/// share one colour), else by CPU. SVG is drawn as text; PNG is the same picture rasterised by <see cref="IsolationPng"/>.
/// </summary>
internal static class IsolationPlot
{
    private const int Width = 960;
    private const int Height = 420;
    private const int MaxEventsDrawn = 4000;
    private static readonly string[] Colors = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"];
    private const string OtherCauseColor = "#7f7f7f";
    private const string UnexplainedColor = "#bcbd22";

    public static bool Supports(string path) =>
        path.EndsWith(".svg", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".png", StringComparison.OrdinalIgnoreCase);

    public static void Write(NoiseReport report, string path)
    {
        var canvas = Draw(report);
        if (path.EndsWith(".png", StringComparison.OrdinalIgnoreCase))
        {
            File.WriteAllBytes(path, IsolationPng.Render(canvas, Width, Height));
        }
        else
        {
            File.WriteAllText(path, ToSvg(canvas));
        }
    }

    /// <summary>The picture as a list of shapes, so SVG and PNG draw the same thing.</summary>
    internal static List<Shape> Draw(NoiseReport report)
    {
        var shapes = new List<Shape>();
        var c = CultureInfo.InvariantCulture;
        var title = string.Create(c, $"bitfuse isolation noise — {report.Host.CpuModel ?? "cpu"}, kernel {report.Host.Kernel ?? "?"}, clock {report.Clock.Kind.ToString().ToLowerInvariant()}, {report.DurationSeconds:F1} s, threshold {IsolationArguments.FormatNs(report.ThresholdNs)}");
        shapes.Add(new Shape.Text(Width / 2, 20, title, "#000", 13, "middle"));

        // Left: histogram, x = log10(gap ns), y = log10(count).
        var left = new Panel(60, 40, 400, 320);
        var minNs = 1.0;
        var maxNs = 10.0;
        long maxCount = 1;
        foreach (var cpu in report.Cpus)
        {
            foreach (var b in cpu.Histogram)
            {
                minNs = minNs == 1.0 ? Math.Max(1, b.LowerNs) : Math.Min(minNs, Math.Max(1, b.LowerNs));
                maxNs = Math.Max(maxNs, b.UpperNs);
                maxCount = Math.Max(maxCount, b.Count);
            }
        }
        var x0 = Math.Floor(Math.Log10(minNs));
        var x1 = Math.Max(x0 + 1, Math.Ceiling(Math.Log10(maxNs)));
        var y1 = Math.Max(1, Math.Ceiling(Math.Log10(maxCount)));
        Axes(shapes, left, x0, x1, 0, y1, "gap length", "gaps (count)", Decade, d => string.Create(c, $"1e{d:F0}"));
        for (var i = 0; i < report.Cpus.Count; i++)
        {
            var color = Colors[i % Colors.Length];
            var points = new List<(double X, double Y)>();
            foreach (var b in report.Cpus[i].Histogram)
            {
                var mid = Math.Log10(Math.Max(1, (b.LowerNs + b.UpperNs) / 2));
                points.Add((left.X(mid, x0, x1), left.Y(Math.Log10(b.Count), 0, y1)));
            }
            if (points.Count > 0)
            {
                shapes.Add(new Shape.Line(points, color));
            }
            shapes.Add(new Shape.Text(left.Left + left.Width - 10, left.Top + 16 + (i * 16), $"CPU {report.Cpus[i].Cpu}", color, 12, "end"));
        }

        // Right: timeline of gaps over the threshold, x = seconds, y = log10(gap ns).
        var right = new Panel(540, 40, 400, 320);
        var duration = Math.Max(report.DurationSeconds, 1e-3);
        var eventMax = Math.Max(report.ThresholdNs * 10, report.Cpus.SelectMany(cpu => cpu.Events).Select(e => e.GapNs).DefaultIfEmpty(0).Max());
        var e0 = Math.Floor(Math.Log10(report.ThresholdNs));
        var e1 = Math.Max(e0 + 1, Math.Ceiling(Math.Log10(eventMax)));
        Axes(shapes, right, 0, duration, e0, e1, "time (s)", "gap length", d => string.Create(c, $"{d:0.##}"), Decade, xDecades: false);
        var causeColors = CauseColors(report);
        for (var i = 0; i < report.Cpus.Count; i++)
        {
            var cpuColor = Colors[i % Colors.Length];
            var events = report.Cpus[i].Events;
            var step = Math.Max(1, events.Count / MaxEventsDrawn);
            for (var k = 0; k < events.Count; k += step)
            {
                var e = events[k];
                var color = e.Cause is { } cause ? causeColors.GetValueOrDefault(cause.Name, cause.Kind == NoiseCauseKind.Unexplained ? UnexplainedColor : OtherCauseColor) : cpuColor;
                shapes.Add(new Shape.Dot(right.X(e.OffsetNs / 1e9, 0, duration), right.Y(Math.Log10(Math.Max(1, e.GapNs)), e0, e1), color));
            }
        }
        if (causeColors.Count > 0)
        {
            var totals = CauseTotals(report);
            var all = totals.Values.Sum();
            var line = 0;
            foreach (var (name, color) in causeColors.Append(new("other causes", OtherCauseColor)))
            {
                var share = name == "other causes" ? all - causeColors.Keys.Sum(k => totals.GetValueOrDefault(k)) : totals.GetValueOrDefault(name);
                if (share <= 0 && name == "other causes")
                {
                    continue;
                }
                var y = right.Top + 14 + (line++ * 13);
                shapes.Add(new Shape.Dot(right.Left + 8, y - 4, color));
                shapes.Add(new Shape.Text(right.Left + 14, y, string.Create(c, $"{name} {100 * share / Math.Max(all, 1e-9):F1} %"), color, 10, "start"));
            }
        }
        return shapes;
    }

    /// <summary>The noise time of each cause over every CPU.</summary>
    private static Dictionary<string, double> CauseTotals(NoiseReport report)
    {
        var totals = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var cpu in report.Cpus)
        {
            foreach (var cause in cpu.Causes)
            {
                totals[cause.Name] = totals.GetValueOrDefault(cause.Name) + cause.TotalNs;
            }
        }
        return totals;
    }

    /// <summary>A colour for each of the largest causes by time (unexplained keeps its own colour); empty when the gaps were not attributed.</summary>
    internal static Dictionary<string, string> CauseColors(NoiseReport report)
    {
        var colors = new Dictionary<string, string>(StringComparer.Ordinal);
        var next = 0;
        foreach (var (name, _) in CauseTotals(report).OrderByDescending(t => t.Value))
        {
            if (name == GapCause.Unexplained.Name)
            {
                colors[name] = UnexplainedColor;
            }
            else if (next < Colors.Length - 1)
            {
                colors[name] = Colors[next++];
            }
        }
        return colors;
    }

    /// <summary>A decade tick in ns as a short label: 1ns, 10ns, 100ns, 1µs, ... 10s.</summary>
    private static string Decade(double log10Ns)
    {
        var e = (int)Math.Round(log10Ns);
        var (unit, scale) = e switch { < 3 => ("ns", 0), < 6 => ("µs", 3), < 9 => ("ms", 6), _ => ("s", 9) };
        return string.Create(CultureInfo.InvariantCulture, $"{Math.Pow(10, e - scale):0}{unit}");
    }

    private static void Axes(List<Shape> shapes, Panel p, double x0, double x1, double y0, double y1, string xLabel, string yLabel,
        Func<double, string> xTick, Func<double, string> yTick, bool xDecades = true)
    {
        shapes.Add(new Shape.Rect(p.Left, p.Top, p.Width, p.Height, "#888"));
        var xSteps = xDecades ? (int)(x1 - x0) : 5;
        for (var k = 0; k <= xSteps; k++)
        {
            var v = x0 + ((x1 - x0) * k / xSteps);
            var x = p.X(v, x0, x1);
            shapes.Add(new Shape.Line([(x, p.Top), (x, p.Top + p.Height)], "#eee"));
            shapes.Add(new Shape.Text(x, p.Top + p.Height + 14, xTick(v), "#333", 10, "middle"));
        }
        var ySteps = (int)Math.Max(1, y1 - y0);
        for (var k = 0; k <= ySteps; k++)
        {
            var v = y0 + k;
            var y = p.Y(v, y0, y1);
            shapes.Add(new Shape.Line([(p.Left, y), (p.Left + p.Width, y)], "#eee"));
            shapes.Add(new Shape.Text(p.Left - 4, y + 3, yTick(v), "#333", 10, "end"));
        }
        shapes.Add(new Shape.Text(p.Left + (p.Width / 2), p.Top + p.Height + 32, xLabel, "#000", 12, "middle"));
        shapes.Add(new Shape.Text(p.Left, p.Top - 6, yLabel, "#000", 12, "start"));
    }

    private static string ToSvg(List<Shape> shapes)
    {
        var c = CultureInfo.InvariantCulture;
        var svg = new StringBuilder();
        svg.Append(c, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{Height}\" viewBox=\"0 0 {Width} {Height}\" font-family=\"sans-serif\">\n");
        svg.Append(c, $"<rect width=\"{Width}\" height=\"{Height}\" fill=\"#fff\"/>\n");
        foreach (var shape in shapes)
        {
            switch (shape)
            {
                case Shape.Rect r:
                    svg.Append(c, $"<rect x=\"{r.X:F1}\" y=\"{r.Y:F1}\" width=\"{r.W:F1}\" height=\"{r.H:F1}\" fill=\"none\" stroke=\"{r.Color}\"/>\n");
                    break;
                case Shape.Line l:
                    svg.Append("<polyline fill=\"none\" stroke=\"").Append(l.Color).Append("\" points=\"");
                    foreach (var (x, y) in l.Points)
                    {
                        svg.Append(c, $"{x:F1},{y:F1} ");
                    }
                    svg.Append("\"/>\n");
                    break;
                case Shape.Dot d:
                    svg.Append(c, $"<circle cx=\"{d.X:F1}\" cy=\"{d.Y:F1}\" r=\"2\" fill=\"{d.Color}\" fill-opacity=\"0.6\"/>\n");
                    break;
                case Shape.Text t:
                    svg.Append(c, $"<text x=\"{t.X:F1}\" y=\"{t.Y:F1}\" font-size=\"{t.Size}\" fill=\"{t.Color}\" text-anchor=\"{t.Anchor}\">{System.Security.SecurityElement.Escape(t.Value)}</text>\n");
                    break;
            }
        }
        svg.Append("</svg>\n");
        return svg.ToString();
    }

    private readonly record struct Panel(double Left, double Top, double Width, double Height)
    {
        public double X(double v, double min, double max) => Left + (Width * Math.Clamp((v - min) / (max - min), 0, 1));

        public double Y(double v, double min, double max) => Top + Height - (Height * Math.Clamp((v - min) / (max - min), 0, 1));
    }

    /// <summary>The shapes a plot is made of.</summary>
    internal abstract record Shape
    {
        public sealed record Rect(double X, double Y, double W, double H, string Color) : Shape;

        public sealed record Line(IReadOnlyList<(double X, double Y)> Points, string Color) : Shape;

        public sealed record Dot(double X, double Y, string Color) : Shape;

        public sealed record Text(double X, double Y, string Value, string Color, int Size, string Anchor) : Shape;
    }
}
