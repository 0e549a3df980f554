using System.Runtime.CompilerServices;
using Bitfuse.Storage.Native;

namespace Bitfuse.Storage;

/// <summary>
/// Copies bytes out of a mapping into a caller's buffer. Copies of a page or more go through the C
/// library's <c>memcpy</c>, which was faster than <see cref="Span{T}.CopyTo"/> for random pages out of the
/// page cache (docs/design/storage.md); smaller copies stay in managed code, where a call would cost more
/// than it saves.
/// </summary>
/// <remarks>
/// The caller has checked the source range against the published length (G3 in
/// <see cref="MappedFile"/>); the destination is a span, so it cannot be overrun.
/// </remarks>
internal static unsafe class MappedCopy
{
    /// <summary>The size from which a copy calls <c>memcpy</c>.</summary>
    public const int NativeCopyBytes = 4096;

    /// <summary>Copies <paramref name="destination"/>.Length bytes from <paramref name="source"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void To(byte* source, Span<byte> destination)
    {
        if (destination.Length >= NativeCopyBytes)
        {
            fixed (byte* target = destination)
            {
                Libc.MemCpy(target, source, (nuint)destination.Length);
            }
            return;
        }
        new ReadOnlySpan<byte>(source, destination.Length).CopyTo(destination);
    }
}
