namespace Bitfuse.Storage;

/// <summary>
/// The seam between <see cref="MappedFile"/> and the kernel for everything that changes the file:
/// every write, allocation, sync and truncation goes through it, so tests can inject faults (a full disk, a short
/// write, a failed sync) and check that the file stays consistent. Methods answer like the system
/// calls they stand for: a count or 0 on success, a negative errno (writes) or an errno (others) on failure.
/// </summary>
internal interface IFileIO
{
    /// <summary>Writes some of <paramref name="data"/> at <paramref name="offset"/> (<c>pwrite</c>).</summary>
    /// <returns>The number of bytes written (possibly fewer than asked), or minus the errno.</returns>
    long Write(int fd, ReadOnlySpan<byte> data, long offset);

    /// <summary>Reserves disk blocks for <c>[offset, offset + length)</c> without changing the file size (<c>fallocate</c> with <c>FALLOC_FL_KEEP_SIZE</c>).</summary>
    /// <returns>0, or the errno (<c>ENOSPC</c> when the disk is full).</returns>
    int Allocate(int fd, long offset, long length);

    /// <summary>
    /// Sets the file size to <paramref name="length"/> and frees the disk blocks allocated past it
    /// (<c>ftruncate</c>; the file only calls it with its own published length, to give back space
    /// allocated ahead of the written end).
    /// </summary>
    /// <returns>0, or the errno.</returns>
    int Truncate(int fd, long length);

    /// <summary>Makes written data durable (<c>fdatasync</c>).</summary>
    /// <returns>0, or the errno (<c>EIO</c> when write-back failed).</returns>
    int Sync(int fd);
}
