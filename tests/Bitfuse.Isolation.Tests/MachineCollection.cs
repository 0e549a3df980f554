namespace Bitfuse.Isolation.Tests;

/// <summary>
/// Tests that pin threads or move this process's threads run alone: a noise run moves every other thread
/// of the test process off the measured CPU for its duration, which would confuse a pinning test running
/// beside it. Nothing here changes machine settings; only this process's thread affinities, restored after.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MachineCollection
{
    public const string Name = "machine";

    /// <summary>The CPU these tests measure: the last online one (CPU 0 carries the most kernel work).</summary>
    public static int TestCpu => CpuTopology.Read(SystemRoot.Live).Online.Max;
}
