using System.Globalization;

namespace Bitfuse.Persistence.Tests.Crash;

/// <summary>
/// The knobs of the crash harness, from the environment: <c>BITFUSE_CRASH_CYCLES</c> (kill -9 cycles; the long
/// mode sets thousands) and <c>BITFUSE_CRASH_SEED</c> (run only this seed: replays a kept failing case).
/// </summary>
internal static class CrashSettings
{
    /// <summary>The kill -9 cycles to run: <c>BITFUSE_CRASH_CYCLES</c>, else <paramref name="ci"/>.</summary>
    public static int Cycles(int ci) => Read("BITFUSE_CRASH_CYCLES") ?? ci;

    /// <summary>The seeds to run: the one <c>BITFUSE_CRASH_SEED</c> names, else <paramref name="defaults"/>.</summary>
    public static TheoryData<int> Seeds(params int[] defaults) => [.. Read("BITFUSE_CRASH_SEED") is int seed ? [seed] : defaults];

    /// <summary>The seed of a test that runs one: <c>BITFUSE_CRASH_SEED</c>, else <paramref name="fallback"/>.</summary>
    public static int Seed(int fallback) => Read("BITFUSE_CRASH_SEED") ?? fallback;

    private static int? Read(string name) =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } text ? int.Parse(text, CultureInfo.InvariantCulture) : null;
}
