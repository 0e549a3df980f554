namespace Bitfuse.Benchmarks.Suites;

/// <summary>The same-thread loop of the memory suite: allocate a batch, touch each item, free the batch.</summary>
public sealed class MemoryBatch<T, TSource>(TSource source, int batch)
    where TSource : struct, IItemSource<T>
{
    private readonly T[] _items = new T[batch];
    private readonly TSource _source = source;

    /// <summary>Items per call.</summary>
    public int Size => _items.Length;

    /// <summary>One batch: <see cref="Size"/> allocations, then as many frees (most recent first).</summary>
    public void Run()
    {
        var items = _items;
        for (var i = 0; i < items.Length; i++)
        {
            items[i] = _source.Alloc();
        }
        for (var i = items.Length - 1; i >= 0; i--)
        {
            _source.Free(items[i]);
            items[i] = default!;
        }
    }
}
