namespace Bitfuse.Isolation;

/// <summary>
/// Where the audit reads <c>/proc</c> and <c>/sys</c> from: <see cref="Live"/> is the machine itself; any
/// other folder is a tree laid out the same way (tests use fixture trees of real and made-up machines).
/// Paths given to it are relative to the root (<c>proc/cmdline</c>, <c>sys/devices/system/cpu/online</c>).
/// </summary>
public sealed class SystemRoot
{
    /// <summary>A root at <paramref name="path"/>.</summary>
    public SystemRoot(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        Path = System.IO.Path.GetFullPath(path);
    }

    /// <summary>The running machine (<c>/</c>).</summary>
    public static SystemRoot Live { get; } = new("/");

    /// <summary>The root folder.</summary>
    public string Path { get; }

    /// <summary>True when this root is the running machine.</summary>
    public bool IsLive => Path == "/";

    /// <summary>The full path of <paramref name="relative"/> under the root.</summary>
    public string Resolve(string relative) => System.IO.Path.Combine(Path, relative.TrimStart('/'));

    /// <summary>The text of a file with trailing whitespace trimmed, or null when it is missing or unreadable.</summary>
    public string? ReadText(string relative)
    {
        try
        {
            return File.ReadAllText(Resolve(relative)).TrimEnd();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>A file parsed as a cpulist, or null when missing or malformed.</summary>
    public CpuSet? ReadCpuList(string relative) => CpuSet.TryParse(ReadText(relative), out var set) ? set : null;

    /// <summary>A file parsed as a hex CPU mask, or null when missing or malformed.</summary>
    public CpuSet? ReadCpuMask(string relative)
    {
        var text = ReadText(relative);
        if (text is null)
        {
            return null;
        }
        try
        {
            return CpuSet.ParseMask(text);
        }
        catch (FormatException)
        {
            return null;
        }
    }

    /// <summary>A file parsed as one integer, or null.</summary>
    public long? ReadInt64(string relative) =>
        long.TryParse(ReadText(relative), System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var v) ? v : null;

    /// <summary>True when the file or folder exists.</summary>
    public bool Exists(string relative)
    {
        var full = Resolve(relative);
        return File.Exists(full) || Directory.Exists(full);
    }

    /// <summary>The names of the sub-folders of <paramref name="relative"/>, or none when it is missing.</summary>
    public IReadOnlyList<string> Directories(string relative)
    {
        try
        {
            var full = Resolve(relative);
            if (!Directory.Exists(full))
            {
                return [];
            }
            var names = Directory.GetDirectories(full).Select(System.IO.Path.GetFileName).OfType<string>().ToList();
            names.Sort(StringComparer.Ordinal);
            return names;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    /// <summary>Writes <paramref name="text"/> to a file under the root (system changes only).</summary>
    public void WriteText(string relative, string text) => File.WriteAllText(Resolve(relative), text);
}
