namespace Bitfuse.Memory;

/// <summary>
/// Small integer ids for per-thread slot arrays (<see cref="ThreadSlots"/>). Ids of disposed owners are reused
/// so the arrays stay short; a slot therefore always records its owner and lookups compare it.
/// </summary>
internal sealed class SlotIdPool
{
    private readonly Lock _lock = new();
    private readonly Stack<int> _free = new();
    private int _next;

    public int Rent()
    {
        lock (_lock)
        {
            return _free.Count > 0 ? _free.Pop() : _next++;
        }
    }

    public void Return(int id)
    {
        lock (_lock)
        {
            _free.Push(id);
        }
    }
}
