using System.Runtime.CompilerServices;

namespace Bitfuse.Storage;

/// <summary>
/// A read section over a <see cref="MappedFile"/>, from <see cref="MappedFile.BeginRead"/>. While it is
/// open, the mapping it saw stays mapped, so spans and pointers into it stay valid; they cover the file
/// up to <see cref="Length"/>, the length published when the scope began. Dispose it (with <c>using</c>)
/// on the thread that began it, and do not use its spans or pointers afterwards.
/// </summary>
/// <remarks>
/// A span or pointer costs a bounds check and one counter addition on the calling thread's own counter
/// slot (found once, when the scope began): no call, no shared write, no locked instruction. Under
/// <see cref="GrowthStrategy.Reserve"/>, beginning and ending a scope are one plain store each to that
/// same slot (the thread's read sequence).
/// </remarks>
public unsafe ref struct MappedReadScope
{
    // Four fields at most, so the JIT keeps a scope in registers; _counts doubles as the open flag.
    private ReadCounters.Slot? _counts;
    private readonly byte* _base;
    private readonly long _length;
    private readonly long _endSequence;

    /// <param name="counts">The calling thread's slot.</param>
    /// <param name="address">The mapping's base.</param>
    /// <param name="length">The published length the scope may read.</param>
    /// <param name="endSequence">Reserve: the (even) sequence that ends the read; 0 for the other strategies, which end through the file.</param>
    internal MappedReadScope(ReadCounters.Slot counts, byte* address, long length, long endSequence)
    {
        _counts = counts;
        _base = address;
        _length = length;
        _endSequence = endSequence;
    }

    /// <summary>The length of the file this scope can read: what was published when it began.</summary>
    public readonly long Length => _length;

    /// <summary>A zero-copy view of <paramref name="length"/> bytes at <paramref name="offset"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The range reaches past <see cref="Length"/> or starts below 0.</exception>
    /// <exception cref="ObjectDisposedException">The scope was disposed.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly ReadOnlySpan<byte> GetSpan(long offset, int length) => new(Locate(offset, length), length);

    /// <summary>
    /// A pointer to <paramref name="length"/> bytes at <paramref name="offset"/>, for kernels that load
    /// straight from the mapping. Valid until the scope is disposed; the memory is read-only (writing
    /// through it faults).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The range reaches past <see cref="Length"/> or starts below 0.</exception>
    /// <exception cref="ObjectDisposedException">The scope was disposed.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly byte* GetPointer(long offset, long length) => Locate(offset, length);

    /// <summary>Copies <paramref name="destination"/>.Length bytes starting at <paramref name="offset"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The range reaches past <see cref="Length"/> or starts below 0.</exception>
    /// <exception cref="ObjectDisposedException">The scope was disposed.</exception>
    public readonly void Read(long offset, Span<byte> destination) =>
        MappedCopy.To(Locate(offset, destination.Length), destination);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private readonly byte* Locate(long offset, long count)
    {
        var counts = _counts;
        if (counts is null)
        {
            ThrowClosed();
        }
        var length = _length;
        if ((ulong)offset > (ulong)length || (ulong)count > (ulong)(length - offset))
        {
            counts.File.ThrowOutOfRange(offset, count, length);
        }
        counts.CountBytes(count);
        return _base + offset;
    }

    /// <summary>Leaves the read section. Idempotent.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Dispose()
    {
        // Kept small (one store for Reserve, a call otherwise) so the JIT copies it inline at the end of
        // a using block instead of calling a handler, and keeps the caller's loop in registers.
        var counts = _counts;
        if (counts is not null)
        {
            _counts = null;
            if (_endSequence != 0)
            {
                Volatile.Write(ref counts.Counts.Sequence, _endSequence);
            }
            else
            {
                counts.File.EndRead();
            }
        }
    }

    // Not NoInlining: the JIT then sees that the call does not return (see MappedFile's throw helpers).
    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    private static void ThrowClosed() =>
        throw new ObjectDisposedException(nameof(MappedReadScope), "The read scope was disposed (or never begun with MappedFile.BeginRead).");
}
