using System.Text;
using Bitfuse.Persistence;

namespace Bitfuse;

/// <summary>
/// A batch of changes to named bitmaps that becomes visible and durable all at once when
/// <see cref="Commit"/> returns, or not at all. Holds the database's writer until committed or disposed.
/// Not thread-safe: use it from one thread at a time.
/// </summary>
public sealed class WriteTransaction : IDisposable
{
    private readonly Database _database;
    private readonly List<WriteOp> _ops = [];
    private bool _done;

    internal WriteTransaction(Database database) => _database = database;

    /// <summary>The number of changes recorded so far.</summary>
    public int Changes => _ops.Count;

    /// <summary>Adds <paramref name="values"/> to the bitmap <paramref name="name"/> (created if new).</summary>
    public void Add(string name, ReadOnlySpan<uint> values) => Record(WriteOpKind.Add, name, Bitmap.FromValues(values));

    /// <summary>Adds <paramref name="value"/> to the bitmap <paramref name="name"/> (created if new).</summary>
    public void Add(string name, uint value) => Add(name, [value]);

    /// <summary>Removes <paramref name="values"/> from the bitmap <paramref name="name"/> (nothing when the name is unknown).</summary>
    public void Remove(string name, ReadOnlySpan<uint> values) => Record(WriteOpKind.Remove, name, Bitmap.FromValues(values));

    /// <summary>Removes <paramref name="value"/> from the bitmap <paramref name="name"/> (nothing when the name is unknown).</summary>
    public void Remove(string name, uint value) => Remove(name, [value]);

    /// <summary>Replaces the bitmap <paramref name="name"/> by a copy of <paramref name="bitmap"/> (created if new).</summary>
    public void Set(string name, Bitmap bitmap)
    {
        ArgumentNullException.ThrowIfNull(bitmap);
        Record(WriteOpKind.Set, name, bitmap.Clone());
    }

    /// <summary>Removes the name <paramref name="name"/> and its bitmap (nothing when the name is unknown).</summary>
    public void Delete(string name) => Record(WriteOpKind.Delete, name, null);

    /// <summary>Adds the values of <paramref name="values"/> to <paramref name="name"/>, taking ownership of the bitmap (no copy).</summary>
    internal void AddOwned(string name, Bitmap values) => Record(WriteOpKind.Add, name, values);

    /// <summary>
    /// Makes every change durable (the log is synced) and visible to new snapshots, all at once; returns only
    /// then. Commits from several threads share one sync. After a failure nothing of this transaction is applied.
    /// </summary>
    /// <exception cref="IOException">The log could not be written; nothing was committed and the database goes on.</exception>
    /// <exception cref="DatabaseFailedException">The sync failed; the handle stopped (reopen to recover).</exception>
    public void Commit()
    {
        ThrowIfDone();
        _done = true;
        try
        {
            _database.Commit(_ops);
        }
        finally
        {
            DisposeOperands();
        }
    }

    /// <summary>Drops the changes when not committed, and lets the next writer in.</summary>
    public void Dispose()
    {
        if (_done)
        {
            return;
        }
        _done = true;
        DisposeOperands();
        _database.ReleaseWriter();
    }

    private void Record(WriteOpKind kind, string name, Bitmap? operand)
    {
        try
        {
            ThrowIfDone();
            CheckName(name);
        }
        catch
        {
            operand?.Dispose();
            throw;
        }
        _ops.Add(new WriteOp(kind, name, operand));
    }

    /// <summary>Throws <see cref="ArgumentException"/> when <paramref name="name"/> cannot name a bitmap.</summary>
    internal static void CheckName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name.Length == 0)
        {
            throw new ArgumentException("A bitmap name cannot be empty.", nameof(name));
        }
        var bytes = Encoding.UTF8.GetByteCount(name);
        if (bytes > LogRecord.MaxNameBytes)
        {
            throw new ArgumentException($"The name '{name[..40]}…' takes {bytes} UTF-8 bytes; at most {LogRecord.MaxNameBytes} are allowed.", nameof(name));
        }
        foreach (var c in name)
        {
            if (char.IsControl(c) || char.IsSurrogate(c) && !char.IsSurrogatePair(name, name.IndexOf(c, StringComparison.Ordinal)))
            {
                throw new ArgumentException($"The name '{name}' holds a control character or a lone surrogate.", nameof(name));
            }
        }
    }

    private void ThrowIfDone() =>
        ObjectDisposedException.ThrowIf(_done, this);

    private void DisposeOperands()
    {
        foreach (var op in _ops)
        {
            op.Operand?.Dispose();
        }
        _ops.Clear();
    }
}
