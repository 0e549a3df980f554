using System.Text.Json;

namespace Bitfuse.Persistence.Crash;

/// <summary>
/// A failing crash case kept for replay: the database files as the failure left them (<c>db/</c>), the files
/// before the step that failed when there are any (<c>before/</c>), and <c>case.json</c> with the test, its
/// seed, where in the run it failed, the problem and the states the database could have held.
/// Replay: <c>dotnet Bitfuse.Database.CrashChild.dll check FOLDER</c> reopens a copy of <c>db/</c> and checks it
/// again; <c>BITFUSE_CRASH_SEED=SEED</c> runs the test's case again from its seed.
/// </summary>
public sealed class CrashCase
{
    public string Test { get; set; } = "";

    public int Seed { get; set; }

    public string Where { get; set; } = "";

    public string Problem { get; set; } = "";

    public List<ModelState> Candidates { get; set; } = [];

    /// <summary>Where failing cases go: <c>BITFUSE_CRASH_KEEP</c>, or bitfuse-crash-cases under the temp folder.</summary>
    public static string Root =>
        Environment.GetEnvironmentVariable("BITFUSE_CRASH_KEEP") is { Length: > 0 } root
            ? root
            : Path.Combine(Path.GetTempPath(), "bitfuse-crash-cases");

    /// <summary>Keeps a failing case and returns its folder (for the assertion message).</summary>
    public static string Keep(string test, int seed, string where, string problem, string database, string? before, IReadOnlyList<ModelState> candidates)
    {
        var folder = Path.Combine(Root, $"{test}-seed{seed}-{DateTime.UtcNow:yyyyMMddTHHmmss}-{Guid.NewGuid().ToString("N")[..6]}");
        Directory.CreateDirectory(folder);
        CopyFolder(database, Path.Combine(folder, "db"));
        if (before is not null && Directory.Exists(before))
        {
            CopyFolder(before, Path.Combine(folder, "before"));
        }
        var kept = new CrashCase { Test = test, Seed = seed, Where = where, Problem = problem, Candidates = [.. candidates] };
        File.WriteAllText(Path.Combine(folder, "case.json"), JsonSerializer.Serialize(kept));
        return folder;
    }

    /// <summary>The case kept in <paramref name="folder"/>.</summary>
    public static CrashCase Load(string folder)
    {
        var kept = JsonSerializer.Deserialize<CrashCase>(File.ReadAllText(Path.Combine(folder, "case.json")))
            ?? throw new InvalidDataException($"'{folder}/case.json' holds no case.");
        foreach (var state in kept.Candidates)
        {
            state.Names = new SortedDictionary<string, SortedSet<uint>>(state.Names, StringComparer.Ordinal);
        }
        return kept;
    }

    /// <summary>The failure message naming the kept folder, its seed and how to replay it.</summary>
    public static string Describe(string folder, int seed, string problem) =>
        $"{problem}\n  files and seed kept in {folder}\n  replay: BITFUSE_CRASH_SEED={seed} (same test), or dotnet Bitfuse.Database.CrashChild.dll check {folder}";

    /// <summary>Copies the files of <paramref name="from"/> (not recursive: a database folder is flat) into <paramref name="to"/>.</summary>
    public static void CopyFolder(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from))
        {
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)), overwrite: true);
        }
    }
}
