using System.Runtime.InteropServices;

namespace Bitfuse.Storage.Native;

/// <summary>Turns errno values into <see cref="NativeIOException"/>s that name the file, the call and the error text.</summary>
internal static class Errors
{
    /// <summary>The errno of the last P/Invoke on this thread.</summary>
    public static int LastErrno() => Marshal.GetLastPInvokeError();

    /// <summary>An exception for <paramref name="operation"/> on <paramref name="path"/> failing with <paramref name="errno"/>.</summary>
    /// <param name="path">The file.</param>
    /// <param name="operation">The call, as its C name.</param>
    /// <param name="errno">The error number.</param>
    /// <param name="detail">Where in the file, if it helps ("at offset 4096 (8192 bytes)").</param>
    public static NativeIOException Failure(string path, string operation, int errno, string? detail = null) =>
        new(path, operation, errno, $"{operation} failed on '{path}'{(detail is null ? "" : " " + detail)}: {Describe(errno)}");

    /// <summary>An exception for <paramref name="operation"/> failing with the errno the last call left.</summary>
    public static NativeIOException LastFailure(string path, string operation, string? detail = null) =>
        Failure(path, operation, LastErrno(), detail);

    /// <summary>The system's text for <paramref name="errno"/> with its number, e.g. "No space left on device (errno 28)".</summary>
    public static string Describe(int errno) => $"{Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})";
}
