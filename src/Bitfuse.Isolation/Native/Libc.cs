using System.Runtime.InteropServices;

namespace Bitfuse.Isolation.Native;

/// <summary>
/// The few C library entry points this library needs (Linux x64). Every caller checks the return value
/// and turns errno into a reason string; nothing here is public.
/// </summary>
internal static unsafe partial class Libc
{
    private const string Library = "libc";

    public const int ClockMonotonicRaw = 4;
    public const int SchedOther = 0;
    public const int SchedFifo = 1;
    public const int McsCurrent = 1;
    public const int McsFuture = 2;
    public const int RlimitMemlock = 8;
    public const int RlimitRtprio = 14;
    public const int ProtRead = 1;
    public const int ProtWrite = 2;
    public const int ProtExec = 4;
    public const int MapPrivate = 0x02;
    public const int MapAnonymous = 0x20;

    [StructLayout(LayoutKind.Sequential)]
    public struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct RLimit
    {
        public ulong Current;
        public ulong Maximum;
    }

    [LibraryImport(Library, EntryPoint = "sched_setaffinity", SetLastError = true)]
    public static partial int SchedSetAffinity(int pid, nuint size, ulong* mask);

    [LibraryImport(Library, EntryPoint = "sched_getaffinity", SetLastError = true)]
    public static partial int SchedGetAffinity(int pid, nuint size, ulong* mask);

    [LibraryImport(Library, EntryPoint = "gettid")]
    public static partial int GetTid();

    [LibraryImport(Library, EntryPoint = "geteuid")]
    public static partial uint GetEuid();

    [LibraryImport(Library, EntryPoint = "mlockall", SetLastError = true)]
    public static partial int MlockAll(int flags);

    [LibraryImport(Library, EntryPoint = "sched_setscheduler", SetLastError = true)]
    public static partial int SchedSetScheduler(int pid, int policy, int* priority);

    [LibraryImport(Library, EntryPoint = "sched_getscheduler", SetLastError = true)]
    public static partial int SchedGetScheduler(int pid);

    [LibraryImport(Library, EntryPoint = "getrlimit", SetLastError = true)]
    public static partial int GetRLimit(int resource, RLimit* limit);

    [LibraryImport(Library, EntryPoint = "clock_gettime")]
    [SuppressGCTransition]
    public static partial int ClockGetTime(int clock, TimeSpec* time);

    [LibraryImport(Library, EntryPoint = "mmap", SetLastError = true)]
    public static partial void* Mmap(void* address, nuint length, int protection, int flags, int fd, nint offset);

    [LibraryImport(Library, EntryPoint = "mprotect", SetLastError = true)]
    public static partial int Mprotect(void* address, nuint length, int protection);

    [LibraryImport(Library, EntryPoint = "mount", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int MountCall(string source, string target, string type, ulong flags, void* data);

    [LibraryImport(Library, EntryPoint = "umount", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int UmountCall(string target);

    /// <summary>Mounts a pseudo file system of <paramref name="type"/> (tracefs) on <paramref name="target"/>; null or the reason it failed.</summary>
    public static string? Mount(string type, string target) =>
        MountCall("nodev", target, type, 0, null) == 0 ? null : $"mount {type} on {target}: {LastError()}";

    /// <summary>Unmounts <paramref name="target"/>; null (also when nothing is mounted there: EINVAL) or the reason it failed.</summary>
    public static string? Unmount(string target) =>
        UmountCall(target) == 0 || Marshal.GetLastPInvokeError() == 22 ? null : $"umount {target}: {LastError()}";

    /// <summary>The text of the last errno, for reports ("EPERM (Operation not permitted)").</summary>
    public static string LastError()
    {
        var errno = Marshal.GetLastPInvokeError();
        return $"{ErrnoName(errno)} ({Marshal.GetPInvokeErrorMessage(errno)})";
    }

    private static string ErrnoName(int errno) => errno switch
    {
        1 => "EPERM",
        3 => "ESRCH",
        12 => "ENOMEM",
        13 => "EACCES",
        16 => "EBUSY",
        22 => "EINVAL",
        _ => $"errno {errno}",
    };

    /// <summary>CLOCK_MONOTONIC_RAW in nanoseconds.</summary>
    public static long MonotonicRawNs()
    {
        TimeSpec time;
        _ = ClockGetTime(ClockMonotonicRaw, &time);
        return (time.Seconds * 1_000_000_000L) + time.Nanoseconds;
    }
}
