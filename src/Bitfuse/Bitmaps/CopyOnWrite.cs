namespace Bitfuse.Bitmaps;

/// <summary>
/// Builds the next version of a shared bitmap without touching the current one: containers at keys a change
/// does not reach are shared (the same payload, borrowed), containers at keys it reaches are replaced by new
/// owned ones. Readers of the current version keep reading its payloads unchanged; the caller owns the new
/// containers and decides when the replaced ones may be freed (a database frees them once no version that
/// holds them is read any more).
/// </summary>
internal static unsafe class CopyOnWrite
{
    /// <summary>
    /// The containers of <paramref name="current"/> with <paramref name="delta"/> added (or removed when
    /// <paramref name="remove"/>). New owned containers go to <paramref name="created"/>; containers of
    /// <paramref name="current"/> that the result no longer holds go to <paramref name="replaced"/>.
    /// </summary>
    public static Bitmap Apply(Bitmap current, Bitmap delta, bool remove, List<Container> created, List<Container> replaced)
    {
        var ck = current.Keys;
        var cc = current.Containers;
        var dk = delta.Keys;
        var dc = delta.Containers;
        var keys = new List<ushort>(ck.Length + (remove ? 0 : dk.Length));
        var containers = new List<Container>(keys.Capacity);
        int i = 0, j = 0;
        while (i < ck.Length || j < dk.Length)
        {
            if (j >= dk.Length || (i < ck.Length && ck[i] < dk[j]))
            {
                keys.Add(ck[i]);
                containers.Add(cc[i]);
                i++;
            }
            else if (i >= ck.Length || dk[j] < ck[i])
            {
                if (!remove)
                {
                    var copy = dc[j].Clone();
                    created.Add(copy);
                    keys.Add(dk[j]);
                    containers.Add(copy);
                }
                j++;
            }
            else
            {
                var next = remove ? ContainerAlgebra.AndNot(cc[i], dc[j]) : ContainerAlgebra.Or(cc[i], dc[j]);
                if (next.Cardinality == cc[i].Cardinality)
                {
                    // A union only grows and a difference only shrinks: the same count means the same values, so keep sharing.
                    next.Free();
                    keys.Add(ck[i]);
                    containers.Add(cc[i]);
                }
                else
                {
                    replaced.Add(cc[i]);
                    if (next.Cardinality > 0)
                    {
                        created.Add(next);
                        keys.Add(ck[i]);
                        containers.Add(next);
                    }
                    else
                    {
                        next.Free();
                    }
                }
                i++;
                j++;
            }
        }
        return Bitmap.Sharing([.. keys], [.. containers]);
    }

    /// <summary>An owned copy of every container of <paramref name="source"/> (added to <paramref name="created"/>), as a shared bitmap.</summary>
    public static Bitmap Copy(Bitmap source, List<Container> created)
    {
        var keys = source.Keys.ToArray();
        var containers = new Container[keys.Length];
        for (var i = 0; i < keys.Length; i++)
        {
            containers[i] = source.Containers[i].Clone();
            created.Add(containers[i]);
        }
        return Bitmap.Sharing(keys, containers);
    }
}
