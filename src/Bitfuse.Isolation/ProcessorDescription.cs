namespace Bitfuse.Isolation;

/// <summary>
/// What <c>/proc/cpuinfo</c> says of the first CPU: its model name and its flags. The one reader of that file in
/// this library (the audit, the noise meter's host facts and the clock's TSC check all take it from here).
/// </summary>
/// <param name="Model">The <c>model name</c> line's value, or null when absent.</param>
/// <param name="Flags">The <c>flags</c> line's words (empty when the file is unreadable or has no flags line).</param>
internal sealed record ProcessorDescription(string? Model, IReadOnlySet<string> Flags)
{
    /// <summary>True when the flags say the system runs under a hypervisor.</summary>
    public bool Hypervisor => Flags.Contains("hypervisor");

    /// <summary>Reads <c>proc/cpuinfo</c> under <paramref name="root"/>.</summary>
    public static ProcessorDescription Read(SystemRoot root) => Parse(root.ReadText("proc/cpuinfo") ?? "");

    /// <summary>Parses the text of <c>/proc/cpuinfo</c>; only the first CPU's block is read.</summary>
    public static ProcessorDescription Parse(string text)
    {
        string? model = null;
        var flags = new HashSet<string>(StringComparer.Ordinal);
        var sawFlags = false;
        foreach (var line in text.Split('\n'))
        {
            if (line.Length == 0 && (model is not null || sawFlags))
            {
                break; // the end of the first CPU's block
            }
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon < 0)
            {
                continue;
            }
            var key = line[..colon].Trim();
            if (model is null && key == "model name")
            {
                model = line[(colon + 1)..].Trim();
            }
            else if (!sawFlags && key == "flags")
            {
                sawFlags = true;
                foreach (var flag in line[(colon + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries))
                {
                    flags.Add(flag);
                }
            }
        }
        return new ProcessorDescription(model, flags);
    }
}
