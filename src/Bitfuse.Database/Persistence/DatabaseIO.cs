using Bitfuse.Storage;
using Bitfuse.Storage.Native;
using Microsoft.Win32.SafeHandles;

namespace Bitfuse.Persistence;

/// <summary>
/// The seam between the database and the kernel: every write, sync and truncation of its files goes through
/// <see cref="Files"/> (the same <see cref="IFileIO"/> its mapped data file uses), and every create, delete
/// and directory sync through the members here, so tests can lose unsynced writes, tear them, drop a create
/// that no directory sync followed, or fail any call.
/// </summary>
internal class DatabaseIO
{
    /// <summary>The real system calls.</summary>
    public static DatabaseIO Real { get; } = new();

    /// <summary>Writes, allocation, truncation and syncs.</summary>
    public virtual IFileIO Files => PosixFileIO.Instance;

    /// <summary>Opens <paramref name="path"/> for reading and writing, creating it when <paramref name="create"/>.</summary>
    public virtual SafeFileHandle Open(string path, bool create)
    {
        var fd = Libc.Open(path, Libc.O_RDWR | Libc.O_CLOEXEC | (create ? Libc.O_CREAT : 0), 0b110_100_100);
        if (fd < 0)
        {
            throw Errors.LastFailure(path, create ? "create" : "open");
        }
        return new SafeFileHandle(fd, ownsHandle: true);
    }

    /// <summary>Makes the names in <paramref name="directory"/> durable (<c>fsync</c> of the directory).</summary>
    public virtual void SyncDirectory(string directory) => MappedFile.SyncDirectory(directory);

    /// <summary>Renames <paramref name="from"/> to <paramref name="to"/>, replacing it (<c>rename</c>; durable after <see cref="SyncDirectory"/>).</summary>
    public virtual void Rename(string from, string to) => File.Move(from, to, overwrite: true);

    /// <summary>Removes <paramref name="path"/> (no error when it is absent).</summary>
    public virtual void Delete(string path) => File.Delete(path);

    /// <summary>Writes all of <paramref name="data"/> at <paramref name="offset"/> through <see cref="Files"/>, continuing after short writes.</summary>
    /// <exception cref="IOException">A write failed; <paramref name="path"/> and the errno are in the message.</exception>
    public void WriteFully(int fd, ReadOnlySpan<byte> data, long offset, string path)
    {
        while (!data.IsEmpty)
        {
            var written = Files.Write(fd, data, offset);
            if (written < 0)
            {
                throw Errors.Failure(path, "write", (int)-written, $"at offset {offset}");
            }
            if (written == 0)
            {
                throw new IOException($"Could not write '{path}' at offset {offset}: the write made no progress.");
            }
            data = data[(int)written..];
            offset += written;
        }
    }
}
