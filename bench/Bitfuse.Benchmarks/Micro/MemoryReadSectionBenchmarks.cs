using BenchmarkDotNet.Attributes;
using Bitfuse.Memory;

namespace Bitfuse.Benchmarks.Micro;

/// <summary>BenchmarkDotNet view of the read-section cost per SMR mode.</summary>
public class MemoryReadSectionBenchmarks
{
    private Smr _smr = null!;

    /// <summary>The SMR mode.</summary>
    [Params(SmrMode.Default, SmrMode.Lazy, SmrMode.Deferred)]
    public SmrMode Mode { get; set; }

    /// <summary>Creates the SMR domain.</summary>
    [GlobalSetup]
    public void Setup() => _smr = new Smr(new SmrOptions { Mode = Mode });

    /// <summary>Releases it.</summary>
    [GlobalCleanup]
    public void Cleanup() => _smr.Dispose();

    /// <summary>One empty read section.</summary>
    [Benchmark]
    public void EnterExit()
    {
        using (_smr.Enter())
        {
        }
    }
}
