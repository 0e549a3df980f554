using System.Buffers.Binary;
using System.Globalization;
using Bitfuse.Storage.Native;
using Microsoft.Win32.SafeHandles;

namespace Bitfuse.Persistence;

// The write-ahead log: files "log-<number>" in the database folder, each a 64-byte header (u64 magic
// "BFDBLOG1", i64 number, u64 checksum of bytes [0, 16), zeros) followed by records (LogRecord).
//
// Invariants:
//  L1. Records are appended in LSN order by the one writer; a commit is acknowledged only after a sync
//      that started after its record was written (group commit: one sync covers every record written
//      before it started).
//  L2. A failed sync is final: the log refuses every later write and sync (fail-stop), because the
//      kernel may have dropped the pages it could not write; nothing after the failure is acknowledged.
//  L3. A failed or short append is cut back to the previous end before the writer goes on, so the log
//      never holds a gap or a torn record followed by a valid one; if the cut fails, the log fails (L2).
//  L4. A new log file is synced and its directory synced before any record in it is acknowledged.
//  L5. The bytes from the end of the records to the end of the file are zeros the log wrote itself: the file is
//      extended by PreallocateBytes of written zeros (not fallocate, whose unwritten extents would have to be
//      converted on the first write) before a record that would not fit, so the fdatasync of most appends writes
//      the record's pages only, with no file size or block allocation to commit. Replay reads a remainder of
//      zeros as the end of a file's records; a record torn inside it is followed by zeros and dropped as before.

/// <summary>One log file open for appending (see the invariants above).</summary>
internal sealed class WriteAheadLog : IDisposable
{
    /// <summary>"BFDBLOG1".</summary>
    public const ulong Magic = 0x31474F4C42444246;

    /// <summary>Bytes of the file header.</summary>
    public const int HeaderBytes = 64;

    /// <summary>How far ahead of the records the file is extended with zeros at a time (L5).</summary>
    public const int PreallocateBytes = 1 << 20;

    private static readonly byte[] s_zeros = new byte[64 << 10];

    private readonly DatabaseIO _io;
    private readonly SafeFileHandle _handle;
    private readonly int _fd;
    private long _end;
    private long _fileEnd;
    private Exception? _failure;

    private WriteAheadLog(DatabaseIO io, string path, long number, SafeFileHandle handle, long end)
    {
        _io = io;
        FilePath = path;
        Number = number;
        _handle = handle;
        _fd = (int)handle.DangerousGetHandle();
        _end = _fileEnd = end;
    }

    /// <summary>The file's path.</summary>
    public string FilePath { get; }

    /// <summary>The file's number (its place in the sequence of log files).</summary>
    public long Number { get; }

    /// <summary>Bytes of header and records written so far (the next record goes here; zeros follow, L5).</summary>
    public long Length => Volatile.Read(ref _end);

    /// <summary>The path of log file <paramref name="number"/> in <paramref name="directory"/>.</summary>
    public static string PathOf(string directory, long number) =>
        Path.Combine(directory, "log-" + number.ToString("D10", CultureInfo.InvariantCulture));

    /// <summary>The numbers of the log files in <paramref name="directory"/>, ascending.</summary>
    public static List<long> List(string directory)
    {
        var numbers = new List<long>();
        foreach (var path in Directory.EnumerateFiles(directory, "log-*"))
        {
            var name = Path.GetFileName(path);
            if (name.Length == 14 && long.TryParse(name.AsSpan(4), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0)
            {
                numbers.Add(n);
            }
        }
        numbers.Sort();
        return numbers;
    }

    /// <summary>The header of log file <paramref name="number"/>.</summary>
    public static byte[] Header(long number)
    {
        var header = new byte[HeaderBytes];
        BinaryPrimitives.WriteUInt64LittleEndian(header, Magic);
        BinaryPrimitives.WriteInt64LittleEndian(header.AsSpan(8), number);
        BinaryPrimitives.WriteUInt64LittleEndian(header.AsSpan(16), Checksum.Of(header.AsSpan(0, 16)));
        return header;
    }

    /// <summary>True when <paramref name="file"/> starts with the header of log <paramref name="number"/>.</summary>
    public static bool HasHeader(ReadOnlySpan<byte> file, long number) =>
        file.Length >= HeaderBytes && file[..HeaderBytes].SequenceEqual(Header(number));

    /// <summary>Creates log file <paramref name="number"/> (replacing any file of that name), synced with its directory (L4).</summary>
    public static WriteAheadLog Create(DatabaseIO io, string directory, long number)
    {
        var path = PathOf(directory, number);
        var handle = io.Open(path, create: true);
        try
        {
            var fd = (int)handle.DangerousGetHandle();
            CheckErrno(io.Files.Truncate(fd, 0), path, "ftruncate");
            io.WriteFully(fd, Header(number), 0, path);
            CheckErrno(io.Files.Sync(fd), path, "fdatasync");
            io.SyncDirectory(directory);
            return new WriteAheadLog(io, path, number, handle, HeaderBytes);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>Opens log file <paramref name="number"/> to append after its first <paramref name="validEnd"/> bytes, cutting anything past them.</summary>
    public static WriteAheadLog OpenForAppend(DatabaseIO io, string directory, long number, long validEnd)
    {
        var path = PathOf(directory, number);
        var handle = io.Open(path, create: false);
        try
        {
            var fd = (int)handle.DangerousGetHandle();
            if (RandomAccess.GetLength(handle) != validEnd)
            {
                CheckErrno(io.Files.Truncate(fd, validEnd), path, "ftruncate");
                CheckErrno(io.Files.Sync(fd), path, "fdatasync");
            }
            return new WriteAheadLog(io, path, number, handle, validEnd);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>Writes <paramref name="record"/> at the end (not yet durable).</summary>
    /// <exception cref="IOException">The write failed; the log was cut back to where it was (L3).</exception>
    /// <exception cref="DatabaseFailedException">The log failed earlier, or cutting back failed.</exception>
    public void Append(ReadOnlySpan<byte> record)
    {
        ThrowIfFailed();
        var at = _end;
        try
        {
            if (at + record.Length > _fileEnd)
            {
                Extend(at + record.Length);
            }
            _io.WriteFully(_fd, record, at, FilePath);
        }
        catch (IOException e)
        {
            _fileEnd = at;
            var error = _io.Files.Truncate(_fd, at);
            if (error != 0)
            {
                Fail(Errors.Failure(FilePath, "ftruncate", error, $"while cutting back a failed append at offset {at}"));
                ThrowIfFailed();
            }
            throw new IOException($"Could not append a log record to '{FilePath}' at offset {at}; nothing was committed: {e.Message}", e);
        }
        Volatile.Write(ref _end, at + record.Length);
    }

    // Writes zeros from the end of the file to the first multiple of PreallocateBytes past needed (L5); the
    // sync of the record that needed it makes them durable with it.
    private void Extend(long needed)
    {
        var target = (needed / PreallocateBytes + 1) * PreallocateBytes;
        while (_fileEnd < target)
        {
            var count = (int)Math.Min(s_zeros.Length, target - _fileEnd);
            _io.WriteFully(_fd, s_zeros.AsSpan(0, count), _fileEnd, FilePath);
            _fileEnd += count;
        }
    }

    /// <summary>Makes every appended record durable; a failure is final (L2).</summary>
    /// <exception cref="DatabaseFailedException">The sync failed, now or earlier.</exception>
    public void Sync()
    {
        ThrowIfFailed();
        var error = _io.Files.Sync(_fd);
        if (error != 0)
        {
            Fail(Errors.Failure(FilePath, "fdatasync", error));
            ThrowIfFailed();
        }
    }

    public void Dispose() => _handle.Dispose();

    private void Fail(Exception e) => _failure ??= new DatabaseFailedException(Path.GetDirectoryName(FilePath)!, e);

    private void ThrowIfFailed()
    {
        if (_failure is not null)
        {
            throw _failure;
        }
    }

    private static void CheckErrno(int error, string path, string operation)
    {
        if (error != 0)
        {
            throw Errors.Failure(path, operation, error);
        }
    }
}
