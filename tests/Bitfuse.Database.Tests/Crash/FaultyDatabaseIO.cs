using Bitfuse.Storage;
using Microsoft.Win32.SafeHandles;

namespace Bitfuse.Persistence.Tests.Crash;

/// <summary>What a call through the seam does.</summary>
internal enum IOCallKind
{
    Write,
    Allocate,
    Truncate,
    Sync,
    Open,
    SyncDirectory,
    Rename,
    Delete,
}

/// <summary>One call through the seam: its place in the order of calls, what it does, to which file, and where (writes).</summary>
internal readonly record struct IOCall(long Index, IOCallKind Kind, string Path, long Offset = 0);

/// <summary>
/// A fault to inject into one call: an errno (a write returns minus it, a sync or allocation returns it, the
/// other calls throw an <see cref="IOException"/> carrying it), or, for a write, a short write of half the
/// bytes (no error: the caller must continue).
/// </summary>
internal sealed record IOFault(int Errno, bool ShortWrite = false)
{
    public const int EIO = 5;
    public const int ENOSPC = 28;
}

/// <summary>
/// The database's file-system seam with faults and power loss. It passes every call to the real system, and
/// records what a power failure could take back: per file, each write and truncation since the file's last
/// sync (with the bytes and size it replaced), and each create, rename and delete since the last sync of its
/// directory. Injected faults fail chosen calls (<see cref="Faults"/>); from call <see cref="PowerOffAtCall"/> on
/// every call fails, as if the machine lost power there. <see cref="PowerOff"/> then rewrites the folder as the
/// disk could hold it after the power came back: each file's last synced image plus a random subset of its
/// unsynced writes, some torn at 512-byte boundaries, and unsynced creates, renames and deletes undone at random.
/// </summary>
internal sealed class FaultyDatabaseIO : DatabaseIO, IFileIO
{
    private const int SectorBytes = 512;

    private readonly Lock _gate = new();
    private readonly Random _random;
    private readonly Dictionary<string, List<Change>> _unsyncedData = new(StringComparer.Ordinal);
    private readonly List<NameChange> _unsyncedNames = [];
    private long _calls;

    public FaultyDatabaseIO(int seed) => _random = new Random(seed);

    /// <summary>Chooses a fault for a call (null: none).</summary>
    public Func<IOCall, IOFault?>? Faults { get; set; }

    /// <summary>The index of the call at which the power goes off (that call and every later one fail).</summary>
    public long PowerOffAtCall { get; set; } = long.MaxValue;

    /// <summary>True once the power went off.</summary>
    public bool PoweredOff { get; private set; }

    /// <summary>Calls made so far.</summary>
    public long Calls => Interlocked.Read(ref _calls);

    /// <summary>Every call so far, in order.</summary>
    public List<IOCall> Log { get; } = [];

    /// <summary>The faults injected so far.</summary>
    public List<(IOCall Call, IOFault Fault)> Injected { get; } = [];

    public override IFileIO Files => this;

    // ---- file calls (IFileIO) ----

    public long Write(int fd, ReadOnlySpan<byte> data, long offset)
    {
        lock (_gate)
        {
            var path = PathOf(fd);
            var fault = Begin(IOCallKind.Write, path, offset);
            if (fault is { ShortWrite: false })
            {
                return -fault.Errno;
            }
            var count = fault is { ShortWrite: true } ? Math.Max(1, data.Length / 2) : data.Length;
            using var handle = new SafeFileHandle(fd, ownsHandle: false);
            var oldSize = RandomAccess.GetLength(handle);
            var old = new byte[Math.Clamp(oldSize - offset, 0, count)];
            RandomAccess.Read(handle, old, offset);
            var written = PosixFileIO.Instance.Write(fd, data[..count], offset);
            if (written > 0)
            {
                Unsynced(path).Add(new Change(offset, data[..(int)written].ToArray(), old, oldSize, Truncation: false));
            }
            return written;
        }
    }

    public int Allocate(int fd, long offset, long length)
    {
        lock (_gate)
        {
            var fault = Begin(IOCallKind.Allocate, PathOf(fd));
            return fault is not null ? fault.Errno : PosixFileIO.Instance.Allocate(fd, offset, length);
        }
    }

    public int Truncate(int fd, long length)
    {
        lock (_gate)
        {
            var path = PathOf(fd);
            var fault = Begin(IOCallKind.Truncate, path);
            if (fault is not null)
            {
                return fault.Errno;
            }
            using var handle = new SafeFileHandle(fd, ownsHandle: false);
            var oldSize = RandomAccess.GetLength(handle);
            var cut = new byte[Math.Max(0, oldSize - length)];
            RandomAccess.Read(handle, cut, length);
            var error = PosixFileIO.Instance.Truncate(fd, length);
            if (error == 0 && oldSize != length)
            {
                Unsynced(path).Add(new Change(length, [], cut, oldSize, Truncation: true));
            }
            return error;
        }
    }

    public int Sync(int fd)
    {
        lock (_gate)
        {
            var path = PathOf(fd);
            var fault = Begin(IOCallKind.Sync, path);
            if (fault is not null)
            {
                return fault.Errno;
            }
            var error = PosixFileIO.Instance.Sync(fd);
            if (error == 0)
            {
                _unsyncedData.Remove(path);
            }
            return error;
        }
    }

    // ---- name calls (DatabaseIO) ----

    public override SafeFileHandle Open(string path, bool create)
    {
        lock (_gate)
        {
            Throw(Begin(IOCallKind.Open, path), path, "open");
            var existed = File.Exists(path);
            var handle = base.Open(path, create);
            if (!existed)
            {
                _unsyncedNames.Add(new NameChange(NameChangeKind.Create, path, null, null));
            }
            return handle;
        }
    }

    public override void SyncDirectory(string directory)
    {
        lock (_gate)
        {
            Throw(Begin(IOCallKind.SyncDirectory, directory), directory, "fsync directory");
            base.SyncDirectory(directory);
            var full = Path.GetFullPath(directory).TrimEnd('/');
            _unsyncedNames.RemoveAll(c => Path.GetDirectoryName(c.Path) == full);
        }
    }

    public override void Rename(string from, string to)
    {
        lock (_gate)
        {
            Throw(Begin(IOCallKind.Rename, from), from, "rename");
            var replaced = File.Exists(to) ? DurableImage(to) : null;
            base.Rename(from, to);
            if (_unsyncedData.Remove(from, out var changes))
            {
                _unsyncedData[to] = changes;
            }
            _unsyncedData.Remove(to);
            _unsyncedNames.Add(new NameChange(NameChangeKind.Rename, to, from, replaced));
        }
    }

    public override void Delete(string path)
    {
        lock (_gate)
        {
            Throw(Begin(IOCallKind.Delete, path), path, "unlink");
            if (!File.Exists(path))
            {
                return;
            }
            var image = DurableImage(path);
            base.Delete(path);
            _unsyncedData.Remove(path);
            _unsyncedNames.Add(new NameChange(NameChangeKind.Delete, path, null, image));
        }
    }

    // ---- power loss ----

    /// <summary>
    /// Rewrites the files as the disk could hold them after a power failure now (the database must be
    /// closed): every synced byte stays; each unsynced write or truncation is kept whole, dropped or (a write)
    /// torn into 512-byte sectors kept at random; unsynced creates, renames and deletes are undone at random.
    /// </summary>
    public void PowerOff()
    {
        lock (_gate)
        {
            PoweredOff = true;
            foreach (var (path, changes) in _unsyncedData)
            {
                if (!File.Exists(path))
                {
                    continue;
                }
                var image = Undo(File.ReadAllBytes(path), changes);
                foreach (var change in changes)
                {
                    image = KeepSome(image, change);
                }
                File.WriteAllBytes(path, image);
            }
            _unsyncedData.Clear();
            for (var i = _unsyncedNames.Count - 1; i >= 0; i--)
            {
                var change = _unsyncedNames[i];
                var undo = _random.Next(4) != 0;
                if (!undo)
                {
                    continue;
                }
                switch (change.Kind)
                {
                    case NameChangeKind.Create:
                        File.Delete(change.Path);
                        break;
                    case NameChangeKind.Rename:
                        if (File.Exists(change.Path))
                        {
                            File.Move(change.Path, change.From!, overwrite: true);
                        }
                        if (change.Image is not null)
                        {
                            File.WriteAllBytes(change.Path, change.Image);
                        }
                        break;
                    default:
                        File.WriteAllBytes(change.Path, change.Image!);
                        break;
                }
            }
            _unsyncedNames.Clear();
        }
    }

    private IOFault? Begin(IOCallKind kind, string path, long offset = 0)
    {
        var index = Interlocked.Increment(ref _calls) - 1;
        if (index >= PowerOffAtCall)
        {
            PoweredOff = true;
        }
        if (PoweredOff)
        {
            return new IOFault(IOFault.EIO);
        }
        var call = new IOCall(index, kind, path, offset);
        Log.Add(call);
        var fault = Faults?.Invoke(call);
        if (fault is not null)
        {
            Injected.Add((call, fault));
        }
        return fault;
    }

    private static void Throw(IOFault? fault, string path, string operation)
    {
        if (fault is not null)
        {
            throw new IOException($"{operation} failed on '{path}': injected errno {fault.Errno}");
        }
    }

    private List<Change> Unsynced(string path)
    {
        if (!_unsyncedData.TryGetValue(path, out var changes))
        {
            _unsyncedData[path] = changes = [];
        }
        return changes;
    }

    /// <summary>The file's bytes as of its last sync.</summary>
    private byte[] DurableImage(string path) =>
        _unsyncedData.TryGetValue(path, out var changes) ? Undo(File.ReadAllBytes(path), changes) : File.ReadAllBytes(path);

    private static byte[] Undo(byte[] image, List<Change> changes)
    {
        for (var i = changes.Count - 1; i >= 0; i--)
        {
            var c = changes[i];
            var restored = new byte[c.OldSize];
            image.AsSpan(0, (int)Math.Min(image.Length, c.OldSize)).CopyTo(restored);
            c.Old.CopyTo(restored.AsSpan((int)c.Offset));
            image = restored;
        }
        return image;
    }

    private byte[] KeepSome(byte[] image, Change change)
    {
        var roll = _random.Next(3);
        if (roll == 0)
        {
            return image;
        }
        if (change.Truncation)
        {
            return image.AsSpan(0, (int)Math.Min(image.Length, change.Offset)).ToArray();
        }
        if (roll == 1)
        {
            return Place(image, change.Offset, change.New);
        }
        // Torn: each 512-byte sector the write touches is kept or lost on its own.
        var at = change.Offset;
        var end = change.Offset + change.New.Length;
        while (at < end)
        {
            var sectorEnd = Math.Min(end, (at / SectorBytes + 1) * SectorBytes);
            if (_random.Next(2) == 0)
            {
                image = Place(image, at, change.New.AsSpan((int)(at - change.Offset), (int)(sectorEnd - at)));
            }
            at = sectorEnd;
        }
        return image;
    }

    private static byte[] Place(byte[] image, long offset, ReadOnlySpan<byte> bytes)
    {
        var end = offset + bytes.Length;
        if (end > image.Length)
        {
            Array.Resize(ref image, (int)end);
        }
        bytes.CopyTo(image.AsSpan((int)offset));
        return image;
    }

    private static string PathOf(int fd) =>
        new FileInfo($"/proc/self/fd/{fd}").LinkTarget ?? throw new InvalidOperationException($"descriptor {fd} names no file");

    private sealed record Change(long Offset, byte[] New, byte[] Old, long OldSize, bool Truncation);

    private enum NameChangeKind
    {
        Create,
        Rename,
        Delete,
    }

    private sealed record NameChange(NameChangeKind Kind, string Path, string? From, byte[]? Image);
}
