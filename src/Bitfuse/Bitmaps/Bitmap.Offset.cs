using Bitfuse.Bitmaps;

namespace Bitfuse;

public sealed unsafe partial class Bitmap
{
    /// <summary>
    /// A new bitmap holding every value plus <paramref name="offset"/>; values that would leave
    /// <c>[0, 2^32)</c> are dropped (as CRoaring's <c>add_offset</c>).
    /// </summary>
    /// <remarks>
    /// An offset that is a multiple of 65536 only renumbers keys. Otherwise each container splits in two: its low
    /// halves below <c>65536 - (offset mod 65536)</c> move up within the target key, the rest spill into the next
    /// key, where they join the lower part of the following container when that one lands there too.
    /// </remarks>
    public Bitmap AddOffset(long offset)
    {
        ThrowIfDisposed();
        if (offset <= -(1L << 32) || offset >= 1L << 32)
        {
            return new Bitmap();
        }
        var keyShift = (int)(offset >> 16);
        var lowShift = (uint)(offset & 0xFFFF);
        var result = new Bitmap(_size + 1);
        if (lowShift == 0)
        {
            for (var i = 0; i < _size; i++)
            {
                var target = _keys[i] + keyShift;
                if ((uint)target <= ushort.MaxValue)
                {
                    result.AppendContainer((ushort)target, _containers[i].Clone());
                }
            }
            return result;
        }
        var scratch = new uint[65536];
        var spill = default(Container);
        var spillKey = -1;
        fixed (uint* values = scratch)
        {
            for (var i = 0; i < _size; i++)
            {
                ref readonly var c = ref _containers[i];
                var target = _keys[i] + keyShift;
                var n = c.CopyTo(0, values);
                for (var k = 0; k < n; k++)
                {
                    values[k] += lowShift;
                }
                var split = 0;
                while (split < n && values[split] < 65536)
                {
                    split++;
                }
                var runs = c.Kind == ContainerKind.Run;
                var lower = split > 0 && (uint)target <= ushort.MaxValue ? Shifted(values, split, runs) : default;
                if (spillKey >= 0 && spillKey == target && !lower.IsEmpty)
                {
                    var merged = ContainerAlgebra.Or(spill, lower);
                    spill.Free();
                    lower.Free();
                    lower = merged;
                    spillKey = -1;
                }
                if (spillKey >= 0)
                {
                    result.AppendContainer((ushort)spillKey, spill);
                    spillKey = -1;
                }
                if (!lower.IsEmpty)
                {
                    result.AppendContainer((ushort)target, lower);
                }
                if (split < n && (uint)(target + 1) <= ushort.MaxValue)
                {
                    spill = Shifted(values + split, n - split, runs);
                    spillKey = target + 1;
                }
            }
        }
        if (spillKey >= 0)
        {
            result.AppendContainer((ushort)spillKey, spill);
        }
        return result;
    }

    /// <summary>An owned container of the low halves of <paramref name="n"/> ascending values; run form is kept where it is smaller.</summary>
    private static Container Shifted(uint* values, int n, bool considerRuns)
    {
        var c = BuildSorted(values, n);
        if (considerRuns)
        {
            ContainerAlgebra.Normalize(ref c, considerRuns: true);
        }
        return c;
    }
}
