namespace Bitfuse.Memory;

/// <summary>
/// The global debug switch of Bitfuse.Memory: poison on free, poison check on reuse, double-free detection,
/// foreign-pointer rejection and the SMR usage rules. On when the AppContext switch
/// <c>Bitfuse.Memory.DebugChecks</c> is true (for example
/// <c>&lt;RuntimeHostConfigurationOption Include="Bitfuse.Memory.DebugChecks" Value="true" /&gt;</c>) or the
/// environment variable <c>BITFUSE_MEMORY_DEBUG</c> is <c>1</c> or <c>true</c>. Zones and SMR instances can
/// override it through their options.
/// </summary>
public static class MemoryDebug
{
    /// <summary>The AppContext switch name.</summary>
    public const string SwitchName = "Bitfuse.Memory.DebugChecks";

    /// <summary>The environment variable name.</summary>
    public const string EnvironmentVariable = "BITFUSE_MEMORY_DEBUG";

    /// <summary>Whether debug checks are on by default (read once per process).</summary>
    public static bool Enabled { get; } = ReadSwitch();

    private static bool ReadSwitch()
    {
        if (AppContext.TryGetSwitch(SwitchName, out var on))
        {
            return on;
        }
        if (AppContext.GetData(SwitchName) is string text && bool.TryParse(text, out on))
        {
            return on;
        }
        var env = Environment.GetEnvironmentVariable(EnvironmentVariable);
        return env is not null && (env == "1" || env.Equals("true", StringComparison.OrdinalIgnoreCase));
    }
}
