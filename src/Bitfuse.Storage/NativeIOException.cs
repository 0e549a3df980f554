namespace Bitfuse.Storage;

/// <summary>
/// A system call made by Storage failed. The message names the file, the call and the system's error
/// text; the properties carry the same facts for programs.
/// </summary>
public sealed class NativeIOException : IOException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="path">The file the call was about.</param>
    /// <param name="operation">The call that failed (<c>pwrite</c>, <c>fallocate</c>, ...).</param>
    /// <param name="errno">The error number the call reported.</param>
    /// <param name="message">The full message.</param>
    public NativeIOException(string path, string operation, int errno, string message)
        : base(message)
    {
        FilePath = path;
        Operation = operation;
        Errno = errno;
        HResult = errno;
    }

    /// <summary>The file the failing call was about.</summary>
    public string FilePath { get; }

    /// <summary>The failing call, such as <c>fdatasync</c>.</summary>
    public string Operation { get; }

    /// <summary>The error number (errno) the call reported.</summary>
    public int Errno { get; }
}
