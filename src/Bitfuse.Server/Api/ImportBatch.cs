using System.Runtime.InteropServices;

namespace Bitfuse.Server;

/// <summary>
/// Values for many names gathered from a stream, held compressed: rows go into a fixed buffer of (name, value)
/// pairs, which is sorted and folded into one bitmap per name whenever it fills, so memory grows with the
/// bitmaps, never with the body. <see cref="AddTo"/> adds everything to a transaction in chunks.
/// </summary>
internal sealed class ImportBatch : IDisposable
{
    private const int PendingCapacity = 1 << 20;
    private const int ChunkValues = 1 << 16;

    private readonly Dictionary<string, int> _ids = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _idsBySpan;
    private readonly List<string> _names = [];
    private readonly List<Bitmap> _bitmaps = [];
    private readonly int _maxNames;
    private ulong[] _pending = new ulong[1024];
    private int _pendingCount;

    public ImportBatch(int maxNames)
    {
        _maxNames = maxNames;
        _idsBySpan = _ids.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>Rows added.</summary>
    public long Rows { get; private set; }

    /// <summary>Distinct names.</summary>
    public int Names => _names.Count;

    /// <summary>Adds <paramref name="value"/> to <paramref name="name"/>.</summary>
    /// <exception cref="RequestRejectedException">The batch would hold more names than allowed.</exception>
    public void Add(ReadOnlySpan<char> name, uint value)
    {
        if (!_idsBySpan.TryGetValue(name, out var id))
        {
            if (_names.Count == _maxNames)
            {
                throw RequestRejectedException.Invalid($"the import names more than {_maxNames} bitmaps, this server's limit");
            }
            var text = name.ToString();
            id = _names.Count;
            _ids.Add(text, id);
            _names.Add(text);
            _bitmaps.Add(new Bitmap());
        }
        if (_pendingCount == _pending.Length)
        {
            if (_pending.Length < PendingCapacity)
            {
                Array.Resize(ref _pending, _pending.Length * 2);
            }
            else
            {
                Fold();
            }
        }
        _pending[_pendingCount++] = (ulong)id << 32 | value;
        Rows++;
    }

    /// <summary>Adds every value to <paramref name="tx"/>, name by name, in chunks.</summary>
    public void AddTo(WriteTransaction tx)
    {
        Fold();
        for (var i = 0; i < _names.Count; i++)
        {
            AddInChunks(tx, _names[i], _bitmaps[i]);
        }
    }

    /// <summary>Adds the values of <paramref name="bitmap"/> to <paramref name="name"/> in <paramref name="tx"/>, a chunk of values at a time.</summary>
    public static void AddInChunks(WriteTransaction tx, string name, Bitmap bitmap)
    {
        var chunk = new uint[(int)Math.Min(ChunkValues, Math.Max(1, bitmap.Count))];
        var n = 0;
        foreach (var value in bitmap)
        {
            chunk[n++] = value;
            if (n == chunk.Length)
            {
                tx.Add(name, chunk);
                n = 0;
            }
        }
        if (n > 0 || bitmap.IsEmpty)
        {
            tx.Add(name, chunk.AsSpan(0, n));
        }
    }

    public void Dispose()
    {
        foreach (var bitmap in _bitmaps)
        {
            bitmap.Dispose();
        }
        _bitmaps.Clear();
    }

    // Sorts the pending pairs (by name, then value) and adds each name's run to its bitmap.
    private void Fold()
    {
        var pending = _pending.AsSpan(0, _pendingCount);
        pending.Sort();
        var values = new List<uint>();
        var start = 0;
        while (start < pending.Length)
        {
            var id = (int)(pending[start] >> 32);
            var end = start;
            values.Clear();
            while (end < pending.Length && (int)(pending[end] >> 32) == id)
            {
                values.Add((uint)pending[end]);
                end++;
            }
            _bitmaps[id].AddMany(CollectionsMarshal.AsSpan(values));
            start = end;
        }
        _pendingCount = 0;
    }
}
