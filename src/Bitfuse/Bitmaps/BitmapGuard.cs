namespace Bitfuse.Bitmaps;

/// <summary>
/// The safety net that returns the payloads of a bitmap nobody disposed: a finalizable object that a live bitmap
/// points to and that points back to it. Allocating a finalizable object costs ~35 ns (the runtime registers it
/// for finalization), as much as a whole pairwise operation on small bitmaps, so guards are reused: disposing a
/// bitmap detaches its guard and keeps it, still registered, in a small per-thread pool for the next bitmap.
/// Invariants: a pooled guard has no owner and stays reachable from its pool, so it is never finalized while
/// pooled; a guard with an owner is referenced by that owner alone, so it becomes unreachable exactly when the
/// owner does, and its finalizer then releases the owner's payloads. A guard the full pool cannot take is
/// dropped ownerless, so its finalizer does nothing.
/// </summary>
internal sealed class BitmapGuard
{
    /// <summary>Guards each thread keeps for reuse: enough for the results a loop holds at once.</summary>
    private const int PoolCapacity = 32;

    [ThreadStatic]
    private static Pool? t_pool;

    private Bitmap? _owner;

    private BitmapGuard()
    {
    }

    /// <summary>Releases the owner's payloads when the owner was dropped without being disposed.</summary>
    ~BitmapGuard()
    {
        _owner?.ReleaseUndisposed();
    }

    /// <summary>A guard for <paramref name="owner"/>, from this thread's pool when it has one.</summary>
    public static BitmapGuard For(Bitmap owner)
    {
        var pool = t_pool;
        BitmapGuard guard;
        if (pool is not null && pool.Count > 0)
        {
            var top = --pool.Count;
            guard = pool.Items[top]!;
            pool.Items[top] = null;
        }
        else
        {
            guard = new BitmapGuard();
        }
        guard._owner = owner;
        return guard;
    }

    /// <summary>Detaches the guard from its disposed owner and keeps it for the next bitmap of this thread.</summary>
    public void Detach()
    {
        _owner = null;
        var pool = t_pool ??= new Pool();
        if (pool.Count < PoolCapacity)
        {
            pool.Items[pool.Count++] = this;
        }
    }

    private sealed class Pool
    {
        public readonly BitmapGuard?[] Items = new BitmapGuard?[PoolCapacity];
        public int Count;
    }
}
