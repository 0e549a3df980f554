using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using Bitfuse.Bitmaps;

namespace Bitfuse;

public sealed unsafe partial class Bitmap
{
    private Bitmap(ushort[] keys, Container[] containers, bool readOnly)
    {
        _keys = keys;
        _containers = containers;
        _size = keys.Length;
        _readOnly = readOnly;
        _guard = BitmapGuard.For(this);
        long count = 0;
        for (var i = 0; i < containers.Length; i++)
        {
            count += containers[i].Cardinality;
        }
        _count = count;
    }

    /// <summary>Bytes <see cref="Serialize(Span{byte})"/> writes (the Roaring portable format).</summary>
    public long SerializedSize() => RoaringFormat.SerializedSize(Keys, Containers);

    /// <summary>Writes the Roaring portable format to <paramref name="destination"/>; returns the bytes written.</summary>
    public int Serialize(Span<byte> destination)
    {
        var size = SerializedSize();
        if (destination.Length < size)
        {
            throw new ArgumentException($"Destination holds {destination.Length} bytes; the bitmap needs {size}.", nameof(destination));
        }
        fixed (byte* p = destination)
        {
            return (int)RoaringFormat.Write(Keys, Containers, p);
        }
    }

    /// <summary>The Roaring portable format as a new array.</summary>
    public byte[] Serialize()
    {
        var bytes = GC.AllocateUninitializedArray<byte>(checked((int)SerializedSize()));
        Serialize(bytes);
        return bytes;
    }

    /// <summary>Writes the Roaring portable format to <paramref name="stream"/>.</summary>
    public void Serialize(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var size = checked((int)SerializedSize());
        var buffer = ArrayPool<byte>.Shared.Rent(size);
        try
        {
            Serialize(buffer.AsSpan(0, size));
            stream.Write(buffer, 0, size);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Writes the Roaring portable format to the file at <paramref name="path"/> (replacing it).</summary>
    public void SerializeToFile(string path)
    {
        using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None);
        Serialize(file);
    }

    /// <summary>Reads a bitmap in the Roaring portable format; the buffer must hold exactly one bitmap.</summary>
    /// <exception cref="InvalidDataException">The data is malformed or truncated (the message names the byte offset).</exception>
    public static Bitmap Deserialize(ReadOnlySpan<byte> source)
    {
        var bitmap = Deserialize(source, out var read);
        if (read != source.Length)
        {
            bitmap.Dispose();
            throw FormatError.At(read, $"{source.Length - read} bytes follow the bitmap");
        }
        return bitmap;
    }

    /// <summary>
    /// Reads a bitmap in the Roaring portable format when <paramref name="source"/> holds exactly one well-formed
    /// bitmap; returns false (and no bitmap) for malformed, truncated or trailing data instead of throwing.
    /// </summary>
    public static bool TryDeserialize(ReadOnlySpan<byte> source, [NotNullWhen(true)] out Bitmap? bitmap)
    {
        try
        {
            bitmap = Deserialize(source);
            return true;
        }
        catch (InvalidDataException)
        {
            bitmap = null;
            return false;
        }
    }

    /// <summary>Reads a bitmap in the Roaring portable format from the start of <paramref name="source"/>, reporting how many bytes it took.</summary>
    /// <exception cref="InvalidDataException">The data is malformed or truncated (the message names the byte offset).</exception>
    public static Bitmap Deserialize(ReadOnlySpan<byte> source, out int bytesRead)
    {
        fixed (byte* p = source)
        {
            var bitmap = ReadAt(p, source.Length, 0, out var consumed);
            bytesRead = (int)consumed;
            return bitmap;
        }
    }

    /// <summary>Reads one bitmap in the Roaring portable format from the rest of <paramref name="stream"/>.</summary>
    public static Bitmap Deserialize(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return Deserialize(copy.GetBuffer().AsSpan(0, (int)copy.Length));
    }

    /// <summary>Reads the bitmap stored in the file at <paramref name="path"/> (Roaring portable format).</summary>
    public static Bitmap DeserializeFile(string path) => Deserialize(File.ReadAllBytes(path));

    /// <summary>
    /// A read-only bitmap over a serialized buffer that borrows the payloads in place instead of copying them
    /// (bitsets are read with unaligned loads). The buffer is pinned until the view is disposed and must not
    /// change meanwhile. Every read operation works on a view; changes throw at run time.
    /// <see cref="ReadOnlyBitmap.CreateView(ReadOnlyMemory{byte})"/> returns the same view as a type without
    /// mutators; prefer it in new code (this one stays for existing callers).
    /// </summary>
    /// <exception cref="InvalidDataException">The data is malformed or truncated.</exception>
    public static Bitmap CreateView(ReadOnlyMemory<byte> buffer)
    {
        var pin = buffer.Pin();
        try
        {
            var view = CreateView((byte*)pin.Pointer, buffer.Length);
            view.SetPin(pin);
            return view;
        }
        catch
        {
            pin.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Low-level: a read-only view over <paramref name="length"/> bytes at <paramref name="data"/> (for example a
    /// memory-mapped file). The caller keeps that memory alive and unchanged for the view's lifetime.
    /// </summary>
    /// <exception cref="InvalidDataException">The data is malformed or truncated.</exception>
    public static Bitmap CreateView(byte* data, long length)
    {
        var (keys, containers) = RoaringFormat.Read(data, length, 0, borrow: true, out var consumed);
        if (consumed != length)
        {
            throw FormatError.At(consumed, $"{length - consumed} bytes follow the bitmap");
        }
        return new Bitmap(keys, containers, readOnly: true);
    }

    /// <summary>
    /// A read-only bitmap over containers someone else owns (a database version, a mapped block): its
    /// descriptors are marked borrowed, so disposing it frees nothing. The owner keeps the payloads alive and
    /// unchanged for the bitmap's lifetime.
    /// </summary>
    internal static Bitmap Sharing(ushort[] keys, Container[] containers)
    {
        for (var i = 0; i < containers.Length; i++)
        {
            containers[i].Owned = false;
        }
        return new Bitmap(keys, containers, readOnly: true);
    }

    /// <summary>Reads one owned bitmap at <paramref name="data"/>; offsets in errors are reported from <paramref name="baseOffset"/>.</summary>
    internal static Bitmap ReadAt(byte* data, long length, long baseOffset, out long consumed)
    {
        var (keys, containers) = RoaringFormat.ReadOwned(data, length, baseOffset, out consumed, out var block);
        return new Bitmap(keys, containers, readOnly: false) { _block = block };
    }
}
