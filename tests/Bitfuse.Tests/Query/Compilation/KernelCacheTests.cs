using Bitfuse.Query.Compilation;

namespace Bitfuse.Tests.Query.Compilation;

public class KernelCacheTests
{
    [Fact]
    public void Same_shape_under_other_names_hits_the_cache()
    {
        var engine = new QueryEngine();
        var first = engine.Compile("x & y").GetKernel(KernelVariant.Count);
        var second = engine.Compile("dog & cat").GetKernel(KernelVariant.Count);
        Assert.Same(first, second);
        var stats = engine.Kernels.Statistics;
        Assert.Equal(1, stats.Kernels);
        Assert.Equal(1, stats.Misses);
        Assert.Equal(1, stats.Hits);
        Assert.True(stats.CompileTime > TimeSpan.Zero);
        engine.Compile("x & y").GetKernel(KernelVariant.Write);
        Assert.Equal(2, engine.Kernels.Statistics.Kernels);
    }

    [Fact]
    public void Same_text_returns_the_same_query()
    {
        var engine = new QueryEngine();
        Assert.Same(engine.Compile("a | b"), engine.Compile("a | b"));
        Assert.Equal(1, engine.CachedQueries);
    }

    [Fact]
    public void Concurrent_lookups_compile_each_shape_once()
    {
        var engine = new QueryEngine();
        var queries = Enumerable.Range(0, 8).Select(i => $"(a{i} & b) | (c ^ !d{i})").ToArray();
        var kernels = new Kernel[64];
        Parallel.For(0, 64, i => kernels[i] = engine.Compile(queries[i % 8]).GetKernel(KernelVariant.WriteCount));
        Assert.All(kernels, k => Assert.Same(kernels[0], k));
        var stats = engine.Kernels.Statistics;
        Assert.Equal(1, stats.Misses);
        Assert.Equal(1, stats.Kernels);
    }
}
