using System.Globalization;

namespace Bitfuse.Isolation;

/// <summary>
/// One CPU's line of <c>/proc/stat</c>, in clock ticks (USER_HZ, 100 per second on Linux x64): where the
/// CPU's time went since boot. Steal is time the hypervisor ran something else while this vCPU wanted to run.
/// </summary>
public sealed record CpuTimes(int Cpu, long User, long Nice, long System, long Idle, long IoWait, long Irq, long SoftIrq, long Steal)
{
    /// <summary>Clock ticks per second of <c>/proc/stat</c> (USER_HZ).</summary>
    public const int TicksPerSecond = 100;

    /// <summary>Total ticks of every state.</summary>
    public long Total => User + Nice + System + Idle + IoWait + Irq + SoftIrq + Steal;

    /// <summary>Parses every <c>cpuN</c> line of <c>/proc/stat</c> text (the aggregate <c>cpu</c> line is skipped).</summary>
    public static IReadOnlyList<CpuTimes> Parse(string text)
    {
        var result = new List<CpuTimes>();
        foreach (var line in text.Split('\n'))
        {
            if (!line.StartsWith("cpu", StringComparison.Ordinal) || line.Length < 4 || !char.IsAsciiDigit(line[3]))
            {
                continue;
            }
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 5 || !int.TryParse(fields[0].AsSpan(3), NumberStyles.None, CultureInfo.InvariantCulture, out var cpu))
            {
                continue;
            }
            long Field(int i) => i < fields.Length && long.TryParse(fields[i], NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : 0;
            result.Add(new CpuTimes(cpu, Field(1), Field(2), Field(3), Field(4), Field(5), Field(6), Field(7), Field(8)));
        }
        return result;
    }

    /// <summary>Reads <c>proc/stat</c> under <paramref name="root"/>; empty when missing.</summary>
    public static IReadOnlyList<CpuTimes> Read(SystemRoot root) => root.ReadText("proc/stat") is { } text ? Parse(text) : [];
}
