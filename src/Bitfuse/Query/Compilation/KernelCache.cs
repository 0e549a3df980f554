using System.Collections.Concurrent;
using Bitfuse.Query.Optimization;

namespace Bitfuse.Query.Compilation;

/// <summary>
/// Compiled kernels keyed by canonical shape, variant and width. Thread-safe: concurrent lookups of one
/// key compile it once (the losers wait for the winner's <see cref="Lazy{T}"/>); hits take no lock.
/// Kernels live as long as the cache (dynamic methods are collectible once unreferenced).
/// </summary>
public sealed class KernelCache
{
    private readonly ConcurrentDictionary<(string Shape, KernelVariant Variant, KernelWidth Width), Lazy<Kernel>> _kernels = new();
    private long _hits;
    private long _misses;
    private long _compileTicks;

    /// <summary>Creates an empty cache whose kernels use <paramref name="width"/>.</summary>
    public KernelCache(KernelWidth width = KernelWidth.Auto)
    {
        Width = VectorOps.Resolve(width);
    }

    /// <summary>The width every kernel of this cache computes with.</summary>
    public KernelWidth Width { get; }

    /// <summary>The kernel for <paramref name="form"/> and <paramref name="variant"/>, compiling it on first use.</summary>
    internal Kernel Get(CanonicalForm form, KernelVariant variant)
    {
        ArgumentNullException.ThrowIfNull(form);
        var key = (form.Key, variant, Width);
        if (_kernels.TryGetValue(key, out var existing))
        {
            Interlocked.Increment(ref _hits);
            return existing.Value;
        }
        var created = new Lazy<Kernel>(() => Compile(form, variant), LazyThreadSafetyMode.ExecutionAndPublication);
        var winner = _kernels.GetOrAdd(key, created);
        if (!ReferenceEquals(winner, created))
        {
            Interlocked.Increment(ref _hits);
        }
        return winner.Value;
    }

    /// <summary>The counters now.</summary>
    public KernelCacheStatistics Statistics => new(_kernels.Count, Interlocked.Read(ref _hits), Interlocked.Read(ref _misses),
        TimeSpan.FromTicks(Interlocked.Read(ref _compileTicks)));

    /// <summary>Drops every kernel (counters are kept).</summary>
    public void Clear() => _kernels.Clear();

    private Kernel Compile(CanonicalForm form, KernelVariant variant)
    {
        var kernel = KernelEmitter.Emit(form.Shape, form.Inputs.Count, variant, Width);
        Interlocked.Increment(ref _misses);
        Interlocked.Add(ref _compileTicks, kernel.CompileTime.Ticks);
        return kernel;
    }
}
