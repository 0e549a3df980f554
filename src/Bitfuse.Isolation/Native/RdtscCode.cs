using System.Runtime.InteropServices;

namespace Bitfuse.Isolation.Native;

/// <summary>
/// <c>rdtsc</c> as a callable function: ten bytes of x86-64 machine code copied into an anonymous page,
/// which is then made read+execute (never writable and executable at once), and called through an
/// unmanaged function pointer with <c>SuppressGCTransition</c> (the code does not block, allocate or call
/// back, so skipping the GC transition is safe). The page lives for the life of the process.
/// <code>
/// 0f 31          rdtsc            ; edx:eax = time-stamp counter
/// 48 c1 e2 20    shl rdx, 32
/// 48 09 d0       or  rax, rdx     ; rax = edx:eax
/// c3             ret
/// </code>
/// </summary>
internal static unsafe class RdtscCode
{
    private static ReadOnlySpan<byte> Code => [0x0F, 0x31, 0x48, 0xC1, 0xE2, 0x20, 0x48, 0x09, 0xD0, 0xC3];

    private static readonly Lazy<(nint Function, string? Error)> Page = new(Create);

    /// <summary>The function, or null with the reason it is not available.</summary>
    public static delegate* unmanaged[SuppressGCTransition]<ulong> TryGet(out string? error)
    {
        var (function, reason) = Page.Value;
        error = reason;
        return (delegate* unmanaged[SuppressGCTransition]<ulong>)function;
    }

    private static (nint, string?) Create()
    {
        if (RuntimeInformation.ProcessArchitecture != Architecture.X64 || !OperatingSystem.IsLinux())
        {
            return (0, $"rdtsc needs Linux on x64 (this is {RuntimeInformation.OSDescription} on {RuntimeInformation.ProcessArchitecture})");
        }
        const int pageSize = 4096;
        var page = Libc.Mmap(null, pageSize, Libc.ProtRead | Libc.ProtWrite, Libc.MapPrivate | Libc.MapAnonymous, -1, 0);
        if (page == (void*)-1)
        {
            return (0, $"mmap of a code page failed: {Libc.LastError()}");
        }
        Code.CopyTo(new Span<byte>(page, pageSize));
        if (Libc.Mprotect(page, pageSize, Libc.ProtRead | Libc.ProtExec) != 0)
        {
            return (0, $"mprotect(PROT_EXEC) refused: {Libc.LastError()}");
        }
        return ((nint)page, null);
    }
}
