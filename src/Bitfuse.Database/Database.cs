using System.Collections.Immutable;
using Bitfuse.Bitmaps;
using Bitfuse.Persistence;
using Bitfuse.Storage;

namespace Bitfuse;

// A persistent bitmap index: a folder with a mapped data file (checkpoints) and a write-ahead log.
//
// Invariants:
//  V1. Readers take no lock: a snapshot reads the current version pointer and takes a reference with a CAS
//      that fails on a dead version (then it reads the pointer again). The writer never waits for a reader.
//  V2. Versions are immutable. A commit builds the next version from the newest one (published or not),
//      sharing every container it does not change, and appends it to the unpublished queue.
//  V3. A version is published only after the log sync that covers its record returned (group commit: the
//      first committer to find no sync running syncs for everyone written so far); publication is in LSN
//      order, so a reader never sees a commit that a crash could take back.
//  V4. A container is freed only when no live version holds it (ContainerLifetimes), and freed memory goes
//      back through the SMR zones of Bitfuse.Memory.
//  V5. The files outlive every snapshot: closing the database waits for nothing, but the mapping and the
//      owned containers are released only when the last snapshot is disposed.
//  V6. A checkpoint switches to a new log file under the writer lock after every written record is durable,
//      writes the changed bitmaps and a directory outside it, publishes the meta, then, under the lock,
//      rebases the newest version on the new directory (a change it folded leaves the overlay, one a later
//      commit made stays). Old log files go after the meta, as
//      best effort: one that a failed delete leaves behind is never replayed and goes at the next checkpoint or open.
//  V7. Any failure of a sync, or of a checkpoint, stops the handle (fail-stop): nothing later is acknowledged,
//      and reopening recovers every acknowledged commit from the data file and the log.

/// <summary>
/// A persistent bitmap index in a folder: named bitmaps stored in a memory-mapped data file and a write-ahead
/// log. One process opens it at a time (a file lock); in that process one writer commits at a time while any
/// number of readers run queries over snapshots, without locks and without waiting for the writer.
/// </summary>
/// <example>
/// <code>
/// using var db = Database.Open("segments.bfdb");
/// using (var tx = db.BeginWrite()) { tx.Add("country:us", ids); tx.Commit(); }
/// using var snapshot = db.Snapshot();
/// long n = engine.Compile("country:us &amp; !churned").Count(snapshot);
/// </code>
/// </example>
public sealed class Database : IDisposable
{
    private const string DataFileName = "data";

    private static readonly ImmutableDictionary<string, NameEntry?> NoChanges = ImmutableDictionary.Create<string, NameEntry?>(StringComparer.Ordinal);

    private readonly DatabaseOptions _options;
    private readonly DatabaseIO _io;
    private readonly DataFile _data;
    private WriteAheadLog _log;

    // The writer: held by an open WriteTransaction and by the checkpoint's two short critical sections.
    private readonly SemaphoreSlim _writer = new(1, 1);

    // Version bookkeeping (writer side only; readers never take it).
    private readonly Lock _versionLock = new();
    private readonly Queue<DatabaseVersion> _unpublished = new();
    private readonly List<DatabaseVersion> _versions = [];
    private readonly ContainerLifetimes _lifetimes = new();
    private DatabaseVersion _current;
    private DatabaseVersion _head;
    private long _nextVersionNumber;
    private readonly NameChangeStamps _changeStamps = new();
    private long _lastLsn;

    // Group commit.
    private readonly object _syncGate = new();
    private long _writtenLsn;
    private long _durableLsn;
    private bool _syncing;
    private Exception? _failure;

    // Checkpoints.
    private readonly Lock _checkpointLock = new();
    private readonly Thread? _checkpointer;
    private readonly AutoResetEvent _checkpointSignal = new(false);

    // Lifetime: one reference for the open handle, one per snapshot (V5).
    private int _handles = 1;
    private int _disposed;

    private long _commits;
    private long _syncs;
    private long _checkpoints;
    private readonly LogReplay.Outcome _recovery;

    private Database(string path, DatabaseOptions options, DataFile data)
    {
        FolderPath = path;
        _options = options;
        _io = options.IO;
        _data = data;

        // No name is read here: the directory is checksummed and then searched in place (NameDirectory N1).
        var directory = data.Meta.DirectoryOffset == 0 ? null : NameDirectory.Open(data, data.Meta.DirectoryOffset);
        _head = _current = NewVersion(data.Meta.CheckpointLsn, directory, NoChanges, directory?.Count ?? 0);

        // Recovery: replay every record after the checkpoint, as commits that are already durable.
        _recovery = LogReplay.Run(path, data.Meta.LogNumber, data.Meta.CheckpointLsn, (lsn, ops) =>
        {
            var next = Apply(_head, ops, lsn);
            _head = next;
        });
        _lastLsn = _writtenLsn = _durableLsn = _recovery.LastLsn;
        lock (_versionLock)
        {
            foreach (var v in _versions)
            {
                if (v != _head)
                {
                    v.Release();
                }
            }
            _unpublished.Clear();
            _current = _head;
            Reclaim();
        }
        _log = _recovery.ValidEnd < 0
            ? WriteAheadLog.Create(_io, path, _recovery.LogNumber)
            : WriteAheadLog.OpenForAppend(_io, path, _recovery.LogNumber, _recovery.ValidEnd);
        foreach (var n in WriteAheadLog.List(path))
        {
            if (n < data.Meta.LogNumber)
            {
                _io.Delete(WriteAheadLog.PathOf(path, n));
            }
        }
        if (options.CheckpointLogBytes > 0)
        {
            _checkpointer = new Thread(CheckpointLoop) { IsBackground = true, Name = "bitfuse-checkpoint" };
            _checkpointer.Start();
        }
    }

    /// <summary>The database folder.</summary>
    public string FolderPath { get; }

    /// <summary>
    /// Opens the database in the folder <paramref name="path"/>, creating it when absent (unless told not to),
    /// and recovers every acknowledged commit: the cost grows with the number of names and the log since the
    /// last checkpoint, not with the number of values.
    /// </summary>
    /// <exception cref="DatabaseCorruptException">A file is corrupt (the message names it and the offset).</exception>
    /// <exception cref="IOException">Another process has the database open, or a file cannot be read or written.</exception>
    public static Database Open(string path, DatabaseOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        options ??= new DatabaseOptions();
        options.Validate();
        var folder = Path.GetFullPath(path);
        var dataPath = Path.Combine(folder, DataFileName);
        if (File.Exists(folder))
        {
            throw new IOException($"'{folder}' is a file; a database is a folder.");
        }
        if (!File.Exists(dataPath))
        {
            if (!options.CreateIfMissing)
            {
                throw new DirectoryNotFoundException($"No database at '{folder}' (no '{DataFileName}' file).");
            }
            var created = !Directory.Exists(folder);
            Directory.CreateDirectory(folder);
            if (created)
            {
                options.IO.SyncDirectory(Path.GetDirectoryName(folder)!);
            }
            // No data file means no checkpoint ever completed, so no log record was ever acknowledged
            // against this folder: anything left from an interrupted creation goes.
            foreach (var n in WriteAheadLog.List(folder))
            {
                options.IO.Delete(WriteAheadLog.PathOf(folder, n));
            }
            DataFile.CreateEmpty(dataPath, options.IO);
        }
        DataFile data;
        try
        {
            data = DataFile.Open(dataPath, options.IO);
        }
        catch (NativeIOException e) when (e.Operation == "flock")
        {
            throw new IOException($"The database '{folder}' is open in another process ({e.Message}).", e);
        }
        try
        {
            return new Database(folder, options, data);
        }
        catch
        {
            data.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Starts a write transaction, waiting while another one is open (one writer at a time). Changes are
    /// invisible until <see cref="WriteTransaction.Commit"/> returns; disposing without committing drops them.
    /// </summary>
    public WriteTransaction BeginWrite()
    {
        ThrowIfUnusable();
        _writer.Wait();
        if (Volatile.Read(ref _disposed) != 0 || _failure is not null)
        {
            _writer.Release();
            ThrowIfUnusable();
        }
        return new WriteTransaction(this);
    }

    /// <summary>
    /// A consistent, read-only view of the last acknowledged commit. Taking one never blocks; the writer
    /// keeps committing and never waits for it. Dispose it to let the memory of older versions go.
    /// </summary>
    public Snapshot Snapshot()
    {
        ThrowIfDisposed();
        AcquireHandle();
        while (true)
        {
            var version = Volatile.Read(ref _current);
            if (version.TryAcquire())
            {
                return new Snapshot(this, version);
            }
        }
    }

    /// <summary>
    /// Folds every acknowledged commit into the data file and starts a new log. Commits and readers go on
    /// meanwhile. A background thread also does this once the log passes <see cref="DatabaseOptions.CheckpointLogBytes"/>.
    /// </summary>
    /// <exception cref="DatabaseFailedException">The checkpoint failed; the handle stopped (reopen to recover).</exception>
    public void Checkpoint()
    {
        ThrowIfUnusable();
        lock (_checkpointLock)
        {
            CheckpointCore();
        }
    }

    /// <summary>Counts and sizes of the current state.</summary>
    public DatabaseStatistics Statistics
    {
        get
        {
            ThrowIfDisposed();
            var current = Volatile.Read(ref _current);
            lock (_versionLock)
            {
                var inMemory = 0;
                foreach (var (_, entry) in current.Changes)
                {
                    inMemory += entry is null ? 0 : 1;
                }
                return new DatabaseStatistics
                {
                    Names = current.Count,
                    Lsn = current.Lsn,
                    CheckpointLsn = _data.Meta.CheckpointLsn,
                    CheckpointGeneration = _data.Meta.Generation,
                    DataFileBytes = _data.Length,
                    LogBytes = _log.Length,
                    NamesInMemory = inMemory,
                    LiveContainerBytes = _lifetimes.LiveBytes,
                    RetainedContainerBytes = _lifetimes.RetainedBytes,
                    LiveVersions = _versions.Count(v => v.IsLive),
                    Commits = Interlocked.Read(ref _commits),
                    LogSyncs = Interlocked.Read(ref _syncs),
                    Checkpoints = Interlocked.Read(ref _checkpoints),
                    RecoveredRecords = _recovery.Records,
                    TornBytesDropped = _recovery.TornBytes,
                };
            }
        }
    }

    /// <summary>
    /// Checks the directory of the current checkpoint (its checksum, every entry, the order of the names) and every
    /// bitmap frame it lists (checksums, structure, container contents); returns the problems found (empty when the
    /// database is sound).
    /// </summary>
    public IReadOnlyList<DatabaseCorruptException> Verify()
    {
        using var snapshot = Snapshot();
        var problems = new List<DatabaseCorruptException>();
        var directory = snapshot.Version.Stored;
        if (directory is null)
        {
            return problems;
        }
        try
        {
            directory.VerifyStructure();
        }
        catch (DatabaseCorruptException e)
        {
            // The entries cannot be trusted to find the frames: report the directory alone.
            problems.Add(e);
            return problems;
        }
        for (var i = 0; i < directory.Count; i++)
        {
            try
            {
                using var view = _data.ViewBitmap(directory.FrameOffset(i), checkContents: true);
            }
            catch (DatabaseCorruptException e)
            {
                problems.Add(e);
            }
        }
        return problems;
    }

    /// <summary>
    /// Closes the database. Acknowledged commits are already durable; open snapshots stay readable until
    /// they are disposed (the files close with the last of them). An open transaction is waited for.
    /// </summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        _checkpointSignal.Set();
        _checkpointer?.Join();
        lock (_checkpointLock)
        {
            _writer.Wait();
            _writer.Release();
        }
        ReleaseHandle();
    }

    // ---- used by WriteTransaction and Snapshot ----

    internal void Commit(IReadOnlyList<WriteOp> ops)
    {
        // Called with the writer held; releases it before waiting for the sync (so the next transaction can
        // build while this one waits) and returns once the commit is durable and published (V3). It holds a
        // handle reference throughout, so a concurrent Dispose cannot close the log under its sync (V5).
        try
        {
            ThrowIfUnusable();
            AcquireHandle();
        }
        catch
        {
            _writer.Release();
            throw;
        }
        try
        {
            CommitDurably(ops);
        }
        finally
        {
            ReleaseHandle();
        }
    }

    private void CommitDurably(IReadOnlyList<WriteOp> ops)
    {
        long lsn;
        try
        {
            lsn = _lastLsn + 1;
            var record = LogRecord.Encode(lsn, ops);
            _options.CrashPoint?.Invoke("commit.before-log");
            _log.Append(record);
            _options.CrashPoint?.Invoke("commit.after-log");
            _lastLsn = lsn;
            try
            {
                _head = Apply(_head, ops, lsn);
            }
            catch (Exception e)
            {
                // The record is in the log but the version could not be built: stop rather than diverge.
                Fail(e);
                throw new DatabaseFailedException(FolderPath, e);
            }
            Volatile.Write(ref _writtenLsn, lsn);
        }
        finally
        {
            _writer.Release();
        }
        WaitDurable(lsn);
        _options.CrashPoint?.Invoke("commit.acknowledged");
        Interlocked.Increment(ref _commits);
        lock (_versionLock)
        {
            Reclaim();
        }
        if (_options.CheckpointLogBytes > 0 && _log.Length >= _options.CheckpointLogBytes)
        {
            _checkpointSignal.Set();
        }
    }

    internal void ReleaseWriter() => _writer.Release();

    /// <summary>The change stamp of <paramref name="name"/>, for queries that carry resolved names between snapshots.</summary>
    internal NameChangeStamp ChangeStampOf(string name) => _changeStamps.Of(name);

    internal void ReleaseSnapshot(DatabaseVersion version)
    {
        version.Release();
        ReleaseHandle();
    }

    // ---- versions ----

    private DatabaseVersion NewVersion(long lsn, NameDirectory? stored, ImmutableDictionary<string, NameEntry?> changes, int count)
    {
        var version = new DatabaseVersion(++_nextVersionNumber, lsn, stored, changes, count);
        lock (_versionLock)
        {
            _versions.Add(version);
        }
        return version;
    }

    /// <summary>The version after applying <paramref name="ops"/> to <paramref name="from"/>, queued for publication (V2).</summary>
    private DatabaseVersion Apply(DatabaseVersion from, IReadOnlyList<WriteOp> ops, long lsn)
    {
        var changes = from.Changes.ToBuilder();
        var count = from.Count;
        var created = new List<Container>();
        var replaced = new List<Container>();
        foreach (var op in ops)
        {
            // The builder holds every change so far, this transaction's too (a name it removed must not come back
            // from the version it started from); a name it lacks is as the directory has it.
            var entry = changes.TryGetValue(op.Name, out var changed) ? changed : from.Stored?.Find(op.Name);
            switch (op.Kind)
            {
                case WriteOpKind.Add:
                    changes[op.Name] = NameEntry.InMemory(op.Name, entry is null
                        ? CopyOnWrite.Copy(op.Operand!, created)
                        : CopyOnWrite.Apply(entry.Bitmap, op.Operand!, remove: false, created, replaced));
                    count += entry is null ? 1 : 0;
                    break;
                case WriteOpKind.Remove:
                    if (entry is not null)
                    {
                        changes[op.Name] = NameEntry.InMemory(op.Name, CopyOnWrite.Apply(entry.Bitmap, op.Operand!, remove: true, created, replaced));
                    }
                    break;
                case WriteOpKind.Set:
                    if (entry is not null)
                    {
                        AddContainers(entry, replaced);
                    }
                    changes[op.Name] = NameEntry.InMemory(op.Name, CopyOnWrite.Copy(op.Operand!, created));
                    count += entry is null ? 1 : 0;
                    break;
                default:
                    if (entry is not null)
                    {
                        AddContainers(entry, replaced);
                        count--;
                        // A stored name needs a mark that hides it; one only the log made simply goes.
                        if (from.Stored?.IndexOf(op.Name) >= 0)
                        {
                            changes[op.Name] = null;
                        }
                        else
                        {
                            changes.Remove(op.Name);
                        }
                    }
                    break;
            }
        }
        var version = NewVersion(lsn, from.Stored, changes.ToImmutable(), count);
        foreach (var op in ops)
        {
            _changeStamps.Changed(op.Name, version.Number);
        }
        lock (_versionLock)
        {
            _lifetimes.Born(created, version.Number);
            _lifetimes.Died(replaced, version.Number);
            _unpublished.Enqueue(version);
        }
        return version;
    }

    private static void AddContainers(NameEntry entry, List<Container> into)
    {
        if (!entry.IsStored)
        {
            into.AddRange(entry.Bitmap.Containers);
        }
    }

    /// <summary>Publishes the newest queued version whose commit is durable (under the version lock).</summary>
    private void PublishThrough(long durableLsn)
    {
        DatabaseVersion? newest = null;
        while (_unpublished.Count > 0 && _unpublished.Peek().Lsn <= durableLsn)
        {
            newest?.Release();
            newest = _unpublished.Dequeue();
        }
        if (newest is not null)
        {
            var old = _current;
            Volatile.Write(ref _current, newest);
            old.Release();
        }
    }

    /// <summary>Frees the containers no live version holds, and forgets dead versions (under the version lock).</summary>
    private void Reclaim()
    {
        _versions.RemoveAll(v => !v.IsLive);
        Span<long> live = _versions.Count <= 256 ? stackalloc long[_versions.Count] : new long[_versions.Count];
        for (var i = 0; i < _versions.Count; i++)
        {
            live[i] = _versions[i].Number;
        }
        _lifetimes.Reclaim(live);
    }

    // ---- group commit ----

    private void WaitDurable(long lsn)
    {
        lock (_syncGate)
        {
            while (true)
            {
                if (_failure is not null)
                {
                    throw new DatabaseFailedException(FolderPath, _failure);
                }
                if (_durableLsn >= lsn)
                {
                    return;
                }
                if (!_syncing)
                {
                    _syncing = true;
                    break;
                }
                Monitor.Wait(_syncGate);
            }
        }
        // This thread leads: one sync covers every record written before it starts (L1).
        var target = Volatile.Read(ref _writtenLsn);
        Exception? failure = null;
        try
        {
            _options.CrashPoint?.Invoke("commit.before-sync");
            _log.Sync();
            Interlocked.Increment(ref _syncs);
        }
        catch (Exception e)
        {
            failure = e;
        }
        lock (_syncGate)
        {
            _syncing = false;
            if (failure is not null)
            {
                Fail(failure);
            }
            else
            {
                _durableLsn = Math.Max(_durableLsn, target);
                lock (_versionLock)
                {
                    PublishThrough(_durableLsn);
                }
            }
            Monitor.PulseAll(_syncGate);
        }
        if (failure is not null)
        {
            throw failure as DatabaseFailedException ?? new DatabaseFailedException(FolderPath, failure);
        }
        if (target < lsn)
        {
            WaitDurable(lsn);
        }
    }

    private void Fail(Exception e)
    {
        lock (_syncGate)
        {
            _failure ??= e;
            Monitor.PulseAll(_syncGate);
        }
    }

    // ---- checkpoints ----

    private void CheckpointLoop()
    {
        while (Volatile.Read(ref _disposed) == 0)
        {
            _checkpointSignal.WaitOne();
            if (Volatile.Read(ref _disposed) != 0 || _failure is not null)
            {
                return;
            }
            if (_log.Length < _options.CheckpointLogBytes)
            {
                continue;
            }
            try
            {
                lock (_checkpointLock)
                {
                    CheckpointCore();
                }
            }
            catch (Exception)
            {
                // The handle has stopped (V7); commits report it.
                return;
            }
        }
    }

    private void CheckpointCore()
    {
        DatabaseVersion folded;
        long logNumber;
        _writer.Wait();
        try
        {
            ThrowIfUnusable();
            WaitDurable(_head.Lsn);
            folded = _head;
            if (folded.Lsn == _data.Meta.CheckpointLsn && folded.Changes.IsEmpty)
            {
                return;
            }
            _options.CrashPoint?.Invoke("checkpoint.before-new-log");
            WriteAheadLog next;
            try
            {
                next = WriteAheadLog.Create(_io, FolderPath, _log.Number + 1);
            }
            catch (Exception e)
            {
                // A checkpoint that fails stops the handle (V7), here as after its frames.
                Fail(e);
                throw new DatabaseFailedException(FolderPath, e);
            }
            folded.TryAcquire();
            logNumber = next.Number;
            var old = _log;
            _log = next;
            old.Dispose();
        }
        finally
        {
            _writer.Release();
        }

        // The new directory: the folded version's names in order, each changed bitmap in a new frame, each stored
        // one where it was (its frame offset and cardinality copied from the old directory; nothing is viewed).
        NameDirectory? written;
        var carried = new List<(int NewIndex, int OldIndex)>();
        try
        {
            var directory = new List<(string, long, long)>(folded.Count);
            foreach (var (name, storedIndex, changed) in folded.Merged())
            {
                if (changed is not null)
                {
                    directory.Add((name, _data.AppendBitmap(changed.Bitmap), changed.Bitmap.Count));
                }
                else
                {
                    carried.Add((directory.Count, storedIndex));
                    directory.Add((name, folded.Stored!.FrameOffset(storedIndex), folded.Stored.Cardinality(storedIndex)));
                }
            }
            _options.CrashPoint?.Invoke("checkpoint.after-frames");
            var directoryOffset = directory.Count == 0 ? 0 : _data.AppendFrame(FrameKind.Directory, NameDirectory.Encode(directory));
            _data.Sync();
            _options.CrashPoint?.Invoke("checkpoint.before-meta");
            var meta = _data.Meta;
            _data.PublishMeta(new MetaPage(meta.Generation + 1, folded.Lsn, logNumber, directoryOffset, _data.End));
            _options.CrashPoint?.Invoke("checkpoint.after-meta");
            written = directoryOffset == 0 ? null : NameDirectory.Open(_data, directoryOffset);
            // Stored bitmaps already viewed stay viewed: the new directory shares their entries (N3).
            foreach (var (newIndex, oldIndex) in carried)
            {
                if (folded.Stored!.MadeEntry(oldIndex) is { } made)
                {
                    written!.Adopt(newIndex, made);
                }
            }
        }
        catch (Exception e)
        {
            folded.Release();
            Fail(e);
            throw new DatabaseFailedException(FolderPath, e);
        }

        // Rebase the newest version on the new directory (V6): a name the log changed after the fold stays a
        // change; every other change is now stored, and its owned containers die in the new version.
        _writer.Wait();
        try
        {
            WaitDurable(_head.Lsn);
            var head = _head;
            var changes = NoChanges.ToBuilder();
            var replaced = new List<Container>();
            foreach (var name in head.Changes.Keys.Union(folded.Changes.Keys, StringComparer.Ordinal))
            {
                var inHead = head.Changes.TryGetValue(name, out var now);
                var inFolded = folded.Changes.TryGetValue(name, out var then);
                if (inHead && inFolded && ReferenceEquals(now, then))
                {
                    if (then is not null)
                    {
                        AddContainers(then, replaced);
                    }
                    continue;
                }
                now = inHead ? now : head.Find(name);
                if (now is not null || written?.IndexOf(name) >= 0)
                {
                    changes[name] = now;
                }
            }
            var swapped = NewVersion(head.Lsn, written, changes.ToImmutable(), head.Count);
            _changeStamps.Prune(swapped.Number, name => swapped.Find(name) is not null);
            lock (_versionLock)
            {
                _lifetimes.Died(replaced, swapped.Number);
                var old = _current;
                _head = swapped;
                Volatile.Write(ref _current, swapped);
                old.Release();
                folded.Release();
                Reclaim();
            }
        }
        finally
        {
            _writer.Release();
        }
        // The checkpoint is complete: no meta names the old logs any more. Removing them is best effort (V6).
        foreach (var n in WriteAheadLog.List(FolderPath))
        {
            if (n < logNumber)
            {
                try
                {
                    _io.Delete(WriteAheadLog.PathOf(FolderPath, n));
                }
                catch (IOException)
                {
                    // Left behind: the next checkpoint or open removes it, and replay never reads it.
                }
            }
        }
        Interlocked.Increment(ref _checkpoints);
    }

    // ---- lifetime ----

    private void AcquireHandle()
    {
        var seen = Volatile.Read(ref _handles);
        while (true)
        {
            ObjectDisposedException.ThrowIf(seen <= 0, this);
            var previous = Interlocked.CompareExchange(ref _handles, seen + 1, seen);
            if (previous == seen)
            {
                return;
            }
            seen = previous;
        }
    }

    private void ReleaseHandle()
    {
        if (Interlocked.Decrement(ref _handles) != 0)
        {
            return;
        }
        lock (_versionLock)
        {
            _lifetimes.FreeAll();
        }
        _log.Dispose();
        _data.Dispose();
        _writer.Dispose();
        _checkpointSignal.Dispose();
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);

    private void ThrowIfUnusable()
    {
        ThrowIfDisposed();
        var failure = _failure;
        if (failure is not null)
        {
            throw failure as DatabaseFailedException ?? new DatabaseFailedException(FolderPath, failure);
        }
    }
}
