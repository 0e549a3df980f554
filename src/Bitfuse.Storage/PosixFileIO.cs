using Bitfuse.Storage.Native;

namespace Bitfuse.Storage;

/// <summary>The real <see cref="IFileIO"/>: <c>pwrite</c>, <c>fallocate</c>, <c>ftruncate</c> and <c>fdatasync</c>, retried on <c>EINTR</c>.</summary>
internal sealed unsafe class PosixFileIO : IFileIO
{
    /// <summary>The one instance (it holds no state).</summary>
    public static PosixFileIO Instance { get; } = new();

    private PosixFileIO()
    {
    }

    /// <inheritdoc />
    public long Write(int fd, ReadOnlySpan<byte> data, long offset)
    {
        fixed (byte* p = data)
        {
            while (true)
            {
                var written = Libc.PWrite(fd, p, (nuint)data.Length, offset);
                if (written >= 0)
                {
                    return written;
                }
                var errno = Errors.LastErrno();
                if (errno != Libc.EINTR)
                {
                    return -errno;
                }
            }
        }
    }

    /// <inheritdoc />
    public int Allocate(int fd, long offset, long length)
    {
        while (Libc.FAllocate(fd, Libc.FALLOC_FL_KEEP_SIZE, offset, length) != 0)
        {
            var errno = Errors.LastErrno();
            if (errno != Libc.EINTR)
            {
                return errno;
            }
        }
        return 0;
    }

    /// <inheritdoc />
    public int Truncate(int fd, long length)
    {
        while (Libc.FTruncate(fd, length) != 0)
        {
            var errno = Errors.LastErrno();
            if (errno != Libc.EINTR)
            {
                return errno;
            }
        }
        return 0;
    }

    /// <inheritdoc />
    public int Sync(int fd)
    {
        while (Libc.FDataSync(fd) != 0)
        {
            var errno = Errors.LastErrno();
            if (errno != Libc.EINTR)
            {
                return errno;
            }
        }
        return 0;
    }
}
