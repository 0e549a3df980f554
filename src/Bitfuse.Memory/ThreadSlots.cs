namespace Bitfuse.Memory;

/// <summary>
/// The per-thread records of one thread: its SMR reader records and its zone caches, indexed by the owner's id.
/// One instance per thread, held only by a thread-static field, so it becomes unreachable when its thread exits;
/// its finalizer then releases the reader records and flushes the caches back to their zones. Nothing leaks
/// with thread churn (a reader record is reused by the next thread that registers).
/// </summary>
internal sealed class ThreadSlots
{
    [ThreadStatic]
    private static ThreadSlots? t_current;

    public SmrReader?[] Readers = [];

    public ZoneCache?[] Caches = [];

    /// <summary>The calling thread's slots, or null before its first use.</summary>
    public static ThreadSlots? CurrentOrNull => t_current;

    /// <summary>The calling thread's slots, created on first use.</summary>
    public static ThreadSlots Current => t_current ??= new ThreadSlots();

    ~ThreadSlots()
    {
        foreach (var reader in Readers)
        {
            reader?.ReleaseAtThreadExit();
        }
        foreach (var cache in Caches)
        {
            cache?.Zone.FlushAtThreadExit(cache);
        }
    }

    public static void Store<T>(ref T?[] array, int id, T value)
        where T : class
    {
        if (id >= array.Length)
        {
            var grown = new T?[Math.Max(id + 1, array.Length * 2)];
            array.CopyTo(grown, 0);
            array = grown;
        }
        array[id] = value;
    }
}
