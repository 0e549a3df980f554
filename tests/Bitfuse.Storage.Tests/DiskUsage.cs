using System.Runtime.InteropServices;

namespace Bitfuse.Storage.Tests;

/// <summary>What a file occupies on disk: <c>st_blocks</c> and <c>st_size</c> from <c>stat</c> (Linux x64 layout).</summary>
internal static unsafe partial class DiskUsage
{
    private const int StatBytes = 144;
    private const int SizeOffset = 48;
    private const int BlocksOffset = 64;

    /// <summary>The bytes of disk allocated to the file, allocation past its end included.</summary>
    public static long AllocatedBytes(string path) => Stat(path).Allocated;

    /// <summary>The file's size and allocated bytes.</summary>
    public static (long Size, long Allocated) Stat(string path)
    {
        var buffer = stackalloc byte[StatBytes];
        if (StatCall(path, buffer) != 0)
        {
            throw new IOException($"stat failed on '{path}': errno {Marshal.GetLastPInvokeError()}");
        }
        return (*(long*)(buffer + SizeOffset), *(long*)(buffer + BlocksOffset) * 512);
    }

    [LibraryImport("libc", EntryPoint = "stat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int StatCall(string path, byte* buffer);
}
