namespace Bitfuse.Storage.Tests;

/// <summary>
/// An <see cref="IFileIO"/> that passes calls to the real one unless a fault is armed: a failing
/// allocation, writes capped to a few bytes each, a failing write after some bytes, or a failing sync.
/// It counts calls so tests can check what was (not) retried.
/// </summary>
internal sealed class FaultyFileIO : IFileIO
{
    public int AllocateErrno { get; set; }

    /// <summary>When non-negative, an allocation reaching past this file offset fails with ENOSPC (a disk that is almost full).</summary>
    public long AllocateLimit { get; set; } = -1;

    /// <summary>The end of every successful allocation, in call order.</summary>
    public List<long> AllocatedEnds { get; } = [];

    public int SyncErrno { get; set; }

    /// <summary>When positive, each write call writes at most this many bytes.</summary>
    public int MaxBytesPerWrite { get; set; }

    /// <summary>When non-negative, writes fail with <see cref="WriteErrno"/> once this many more bytes have been written.</summary>
    public long FailWritesAfterBytes { get; set; } = -1;

    public int WriteErrno { get; set; } = 5;

    public int AllocateCalls { get; private set; }

    public int WriteCalls { get; private set; }

    public int SyncCalls { get; private set; }

    /// <summary>When non-zero, truncation fails with this errno.</summary>
    public int TruncateErrno { get; set; }

    public int TruncateCalls { get; private set; }

    public long Write(int fd, ReadOnlySpan<byte> data, long offset)
    {
        WriteCalls++;
        if (FailWritesAfterBytes == 0)
        {
            return -WriteErrno;
        }
        var count = data.Length;
        if (MaxBytesPerWrite > 0)
        {
            count = Math.Min(count, MaxBytesPerWrite);
        }
        if (FailWritesAfterBytes > 0)
        {
            count = (int)Math.Min(count, FailWritesAfterBytes);
            FailWritesAfterBytes -= count;
        }
        return PosixFileIO.Instance.Write(fd, data[..count], offset);
    }

    public int Allocate(int fd, long offset, long length)
    {
        AllocateCalls++;
        if (AllocateErrno != 0)
        {
            return AllocateErrno;
        }
        if (AllocateLimit >= 0 && offset + length > AllocateLimit)
        {
            return 28;
        }
        var errno = PosixFileIO.Instance.Allocate(fd, offset, length);
        if (errno == 0)
        {
            AllocatedEnds.Add(offset + length);
        }
        return errno;
    }

    public int Truncate(int fd, long length)
    {
        TruncateCalls++;
        return TruncateErrno != 0 ? TruncateErrno : PosixFileIO.Instance.Truncate(fd, length);
    }

    public int Sync(int fd)
    {
        SyncCalls++;
        return SyncErrno != 0 ? SyncErrno : PosixFileIO.Instance.Sync(fd);
    }
}
