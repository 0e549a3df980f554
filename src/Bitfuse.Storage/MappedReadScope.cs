using System.Runtime.CompilerServices;
using Bitfuse.Memory;

namespace Bitfuse.Storage;

/// <summary>
/// A read section over a <see cref="MappedFile"/>, from <see cref="MappedFile.BeginRead"/>. While it is
/// open, the mapping it saw stays mapped, so spans and pointers into it stay valid; they cover the file
/// up to <see cref="Length"/>, the length published when the scope began. Dispose it (with <c>using</c>)
/// on the thread that began it, and do not use its spans or pointers afterwards.
/// </summary>
public unsafe ref struct MappedReadScope
{
    private readonly MappedFile? _file;
    private readonly byte* _base;
    private readonly long _length;
    private readonly ReadScope _section;
    private bool _open;

    internal MappedReadScope(MappedFile file, byte* address, long length, ReadScope section)
    {
        _file = file;
        _base = address;
        _length = length;
        _section = section;
        _open = true;
    }

    /// <summary>The length of the file this scope can read: what was published when it began.</summary>
    public readonly long Length => _length;

    /// <summary>A zero-copy view of <paramref name="length"/> bytes at <paramref name="offset"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The range reaches past <see cref="Length"/> or starts below 0.</exception>
    /// <exception cref="ObjectDisposedException">The scope was disposed.</exception>
    public readonly ReadOnlySpan<byte> GetSpan(long offset, int length) => new(Locate(offset, length), length);

    /// <summary>
    /// A pointer to <paramref name="length"/> bytes at <paramref name="offset"/>, for kernels that load
    /// straight from the mapping. Valid until the scope is disposed; the memory is read-only (writing
    /// through it faults).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The range reaches past <see cref="Length"/> or starts below 0.</exception>
    /// <exception cref="ObjectDisposedException">The scope was disposed.</exception>
    public readonly byte* GetPointer(long offset, long length) => Locate(offset, length);

    /// <summary>Copies <paramref name="destination"/>.Length bytes starting at <paramref name="offset"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The range reaches past <see cref="Length"/> or starts below 0.</exception>
    /// <exception cref="ObjectDisposedException">The scope was disposed.</exception>
    public readonly void Read(long offset, Span<byte> destination) =>
        new ReadOnlySpan<byte>(Locate(offset, destination.Length), destination.Length).CopyTo(destination);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private readonly byte* Locate(long offset, long count)
    {
        if (!_open)
        {
            ThrowClosed();
        }
        _file!.CheckRange(offset, count, _length);
        _file.CountMappedRead(count);
        return _base + offset;
    }

    /// <summary>Leaves the read section. Idempotent.</summary>
    public void Dispose()
    {
        if (_open)
        {
            _open = false;
            _file!.EndRead(_section);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowClosed() =>
        throw new ObjectDisposedException(nameof(MappedReadScope), "The read scope was disposed (or never begun with MappedFile.BeginRead).");
}
