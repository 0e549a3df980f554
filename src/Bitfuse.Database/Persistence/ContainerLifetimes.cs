using Bitfuse.Bitmaps;

namespace Bitfuse.Persistence;

/// <summary>
/// The containers the database owns and the versions that hold them. A container is born in the version that
/// made it and dies in the first version that no longer holds it; versions share every container they do not
/// change. It is freed once no live version lies in <c>[born, died)</c>, so a snapshot that stalls holds at most
/// the containers of its own version, not everything written after it. Frees go to the container zones, which
/// reclaim through SMR. Used by the writer side only, under the database's version lock.
/// </summary>
internal sealed unsafe class ContainerLifetimes
{
    private readonly Dictionary<nint, (Container Container, long Born)> _bornIn = [];
    private readonly List<(Container Container, long Born, long Died)> _dead = [];

    /// <summary>Bytes of live containers (held by the newest version).</summary>
    public long LiveBytes { get; private set; }

    /// <summary>Bytes of dead containers not yet freed because an older version still holds them.</summary>
    public long RetainedBytes { get; private set; }

    /// <summary>Containers freed so far.</summary>
    public long Freed { get; private set; }

    /// <summary>Records <paramref name="created"/> as born in version <paramref name="version"/>.</summary>
    public void Born(List<Container> created, long version)
    {
        foreach (var c in created)
        {
            _bornIn.Add((nint)c.Data, (c, version));
            LiveBytes += c.CapacityBytes;
        }
    }

    /// <summary>
    /// Records that version <paramref name="version"/> no longer holds <paramref name="replaced"/> (stored containers are
    /// ignored). The containers come as a version's bitmap holds them, which is as borrowed copies (a shared bitmap
    /// never owns its payloads): what is kept to free later is the owned container recorded at birth, found by its
    /// payload, since freeing a borrowed copy returns nothing.
    /// </summary>
    public void Died(IEnumerable<Container> replaced, long version)
    {
        foreach (var c in replaced)
        {
            if (_bornIn.Remove((nint)c.Data, out var held))
            {
                _dead.Add((held.Container, held.Born, version));
                LiveBytes -= held.Container.CapacityBytes;
                RetainedBytes += held.Container.CapacityBytes;
            }
        }
    }

    /// <summary>Frees every dead container that no version in <paramref name="live"/> (ascending numbers) holds.</summary>
    public int Reclaim(ReadOnlySpan<long> live)
    {
        var freed = 0;
        var kept = 0;
        for (var i = 0; i < _dead.Count; i++)
        {
            var (container, born, died) = _dead[i];
            if (AnyIn(live, born, died))
            {
                _dead[kept++] = _dead[i];
                continue;
            }
            RetainedBytes -= container.CapacityBytes;
            container.Free();
            freed++;
        }
        _dead.RemoveRange(kept, _dead.Count - kept);
        Freed += freed;
        return freed;
    }

    /// <summary>Frees everything (the database is closing and no version is read any more).</summary>
    public void FreeAll()
    {
        foreach (var (container, _, _) in _dead)
        {
            container.Free();
        }
        _dead.Clear();
        foreach (var (_, held) in _bornIn)
        {
            held.Container.Free();
        }
        _bornIn.Clear();
        RetainedBytes = 0;
        LiveBytes = 0;
    }

    private static bool AnyIn(ReadOnlySpan<long> live, long from, long to)
    {
        // The first live version at or after `from`, by binary search; held when it is before `to`.
        int lo = 0, hi = live.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (live[mid] < from)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }
        return lo < live.Length && live[lo] < to;
    }
}
