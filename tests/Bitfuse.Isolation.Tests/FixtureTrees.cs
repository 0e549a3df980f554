using Bitfuse.Isolation;

namespace Bitfuse.Isolation.Tests;

/// <summary>The fixture trees shipped with the tests: /proc and /sys of three machines.</summary>
internal static class FixtureTrees
{
    public const string IsolatedServer = "isolated-server";
    public const string Vm = "vm";
    public const string Misconfigured = "misconfigured";

    public static SystemRoot Root(string name) => new(Path.Combine(AppContext.BaseDirectory, "Fixtures", name));

    /// <summary>A writable copy of a fixture tree in a fresh temporary folder.</summary>
    public static SystemRoot Copy(string name)
    {
        var source = Root(name).Path;
        var target = Path.Combine(Path.GetTempPath(), $"bitfuse-fixture-{name}-{Guid.NewGuid():N}");
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var destination = Path.Combine(target, Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
            File.Copy(file, destination);
        }
        return new SystemRoot(target);
    }
}
