namespace Bitfuse.Memory;

/// <summary>
/// A small array of free item addresses. Owned by one thread while in a cache; by the zone (under its lock) while
/// queued. In SMR zones a full free bucket carries the goal (<see cref="Stamp"/>) after which its items may be reused.
/// </summary>
internal sealed class Bucket
{
    public readonly nint[] Items;
    public int Count;
    public long Stamp;

    public Bucket(int capacity) => Items = new nint[capacity];

    public bool IsFull => Count == Items.Length;
}
