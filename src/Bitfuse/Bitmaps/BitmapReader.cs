namespace Bitfuse;

/// <summary>
/// Reads a bitmap's values in ascending order, a batch at a time, optionally within a range
/// (<see cref="Bitmap.GetReader()"/>, <see cref="Bitmap.GetReader(long, long)"/>).
/// </summary>
/// <remarks>
/// Invariants: the position is (container index, next low half): every value before it has been returned or
/// skipped, none after it has. A read copies from one container at a time with that container's own
/// extraction (array widening, bitset word scan, run expansion), so a batch costs no search per value.
/// Like <see cref="Bitmap.Enumerator"/>, the reader remembers the bitmap's version stamp: after the bitmap
/// changes or is disposed, the next <see cref="Read"/> or <see cref="AdvanceTo"/> throws instead of reading
/// freed payloads.
/// </remarks>
public sealed unsafe class BitmapReader
{
    private readonly Bitmap _bitmap;
    private readonly int _version;
    private readonly long _end;
    private int _index;
    private int _low;

    internal BitmapReader(Bitmap bitmap, int version, long start, long end)
    {
        _bitmap = bitmap;
        _version = version;
        _end = end;
        _index = -1;
        Seek(start);
    }

    /// <summary>
    /// Fills <paramref name="destination"/> with the next values in ascending order; returns how many it wrote,
    /// 0 only when no value is left.
    /// </summary>
    public int Read(Span<uint> destination)
    {
        _bitmap.CheckReader(_version);
        var written = 0;
        var size = _bitmap.ContainerCount;
        fixed (uint* p = destination)
        {
            while (written < destination.Length && _index < size)
            {
                var high = (long)_bitmap.KeyAt(_index) << 16;
                var limit = _end - high;
                if (limit <= 0)
                {
                    _index = size;
                    break;
                }
                var to = (int)Math.Min(65536, limit);
                var n = _bitmap.ContainerAt(_index).CopyRangeTo(_low, to, (uint)high, p + written, destination.Length - written);
                written += n;
                if (written < destination.Length)
                {
                    // The container had nothing more below `to`.
                    _index++;
                    _low = 0;
                }
                else
                {
                    _low = (int)(p[written - 1] - (uint)high) + 1;
                }
            }
        }
        return written;
    }

    /// <summary>Skips ahead so that the next value read is the first one &gt;= <paramref name="value"/>; never moves back.</summary>
    public void AdvanceTo(uint value) => Seek(value);

    private void Seek(long value)
    {
        _bitmap.CheckReader(_version);
        if (value > uint.MaxValue)
        {
            _index = _bitmap.ContainerCount;
            return;
        }
        var key = (int)(value >> 16);
        var low = (int)(value & 0xFFFF);
        if (_index >= 0 && (_index >= _bitmap.ContainerCount || key < _bitmap.KeyAt(_index) || (key == _bitmap.KeyAt(_index) && low <= _low)))
        {
            return;
        }
        var at = _bitmap.IndexOfKey((ushort)key);
        _index = at >= 0 ? at : ~at;
        _low = at >= 0 ? low : 0;
    }
}
