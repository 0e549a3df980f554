using System.Runtime.InteropServices;

namespace Bitfuse.Storage.Native;

/// <summary>
/// The C library calls Storage makes, as source-generated P/Invokes (Linux x64, glibc numbering).
/// Every call records errno (<c>SetLastError</c>); callers turn failures into
/// <see cref="NativeIOException"/> through <see cref="Errors"/>. Nothing here validates arguments:
/// the callers above check offsets and lengths before any pointer is formed.
/// </summary>
internal static unsafe partial class Libc
{
    private const string Library = "libc";

    public const int EINTR = 4;
    public const int EIO = 5;
    public const int EAGAIN = 11;
    public const int EEXIST = 17;
    public const int EINVAL = 22;
    public const int ENOSPC = 28;
    public const int EOPNOTSUPP = 95;

    public const int O_RDONLY = 0;
    public const int O_RDWR = 2;
    public const int O_CREAT = 0x40;
    public const int O_EXCL = 0x80;
    public const int O_CLOEXEC = 0x80000;
    public const int O_DIRECTORY = 0x10000;

    public const int PROT_NONE = 0;
    public const int PROT_READ = 1;
    public const int MAP_SHARED = 0x01;
    public const int MAP_PRIVATE = 0x02;
    public const int MAP_FIXED = 0x10;
    public const int MAP_ANONYMOUS = 0x20;
    public const int MAP_NORESERVE = 0x4000;

    public const int MADV_NORMAL = 0;
    public const int MADV_RANDOM = 1;
    public const int MADV_SEQUENTIAL = 2;
    public const int MADV_WILLNEED = 3;

    public const int POSIX_FADV_NORMAL = 0;
    public const int POSIX_FADV_RANDOM = 1;
    public const int POSIX_FADV_SEQUENTIAL = 2;
    public const int POSIX_FADV_WILLNEED = 3;

    public const int LOCK_EX = 2;
    public const int LOCK_NB = 4;
    public const int LOCK_UN = 8;

    public const int FALLOC_FL_KEEP_SIZE = 1;

    /// <summary>The value <c>mmap</c> returns on failure.</summary>
    public static readonly nint MapFailed = -1;

    // open(2) is variadic in C; on x86-64 System V a fixed three-argument call passes the mode in the
    // same register the variadic callee reads it from.
    [LibraryImport(Library, EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Open(string path, int flags, int mode);

    [LibraryImport(Library, EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    [LibraryImport(Library, EntryPoint = "pread", SetLastError = true)]
    public static partial nint PRead(int fd, byte* buffer, nuint count, long offset);

    /// <summary>The C library's memcpy: no errno, no GC transition (it neither blocks nor calls back).</summary>
    [LibraryImport(Library, EntryPoint = "memcpy")]
    [SuppressGCTransition]
    public static partial void* MemCpy(void* destination, void* source, nuint count);

    [LibraryImport(Library, EntryPoint = "pwrite", SetLastError = true)]
    public static partial nint PWrite(int fd, byte* buffer, nuint count, long offset);

    [LibraryImport(Library, EntryPoint = "fallocate", SetLastError = true)]
    public static partial int FAllocate(int fd, int mode, long offset, long length);

    [LibraryImport(Library, EntryPoint = "fdatasync", SetLastError = true)]
    public static partial int FDataSync(int fd);

    [LibraryImport(Library, EntryPoint = "fsync", SetLastError = true)]
    public static partial int FSync(int fd);

    [LibraryImport(Library, EntryPoint = "ftruncate", SetLastError = true)]
    public static partial int FTruncate(int fd, long length);

    /// <summary>The size of <c>struct stat</c> on Linux x64 (and arm64): 144 bytes.</summary>
    public const int StatBytes = 144;

    /// <summary>Where <c>st_size</c> lies in <c>struct stat</c> (x64 and arm64 alike).</summary>
    public const int StatSizeOffset = 48;

    /// <summary>Where <c>st_blocks</c> (512-byte units allocated) lies in <c>struct stat</c> (x64 and arm64 alike).</summary>
    public const int StatBlocksOffset = 64;

    [LibraryImport(Library, EntryPoint = "fstat", SetLastError = true)]
    public static partial int FStat(int fd, byte* stat);

    [LibraryImport(Library, EntryPoint = "mmap", SetLastError = true)]
    public static partial nint MMap(nint address, nuint length, int protection, int flags, int fd, long offset);

    [LibraryImport(Library, EntryPoint = "munmap", SetLastError = true)]
    public static partial int MUnmap(nint address, nuint length);

    [LibraryImport(Library, EntryPoint = "madvise", SetLastError = true)]
    public static partial int MAdvise(nint address, nuint length, int advice);

    [LibraryImport(Library, EntryPoint = "flock", SetLastError = true)]
    public static partial int FLock(int fd, int operation);

    /// <summary>Returns the error number itself (0 on success); it does not set errno.</summary>
    [LibraryImport(Library, EntryPoint = "posix_fadvise")]
    public static partial int PosixFAdvise(int fd, long offset, long length, int advice);
}
