using System.Runtime.InteropServices;

namespace Bitfuse.Memory;

/// <summary>
/// A 64-bit sequence alone on its cache line (64 bytes of padding on each side, which also defeats the
/// adjacent-line prefetcher), so a hot shared counter or a reader slot never shares a line with other data.
/// </summary>
[StructLayout(LayoutKind.Explicit, Size = 192)]
internal struct PaddedSequence
{
    [FieldOffset(64)]
    public long Value;
}
