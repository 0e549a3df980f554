using System.IO.MemoryMappedFiles;
using Bitfuse.Storage;
using Bitfuse.Storage.Native;
using Microsoft.Win32.SafeHandles;

namespace Bitfuse.Benchmarks.Suites;

/// <summary>
/// A page-cache-resident file under the temp folder with every way of reading it open side by side:
/// a Reserve <see cref="MappedFile"/> (the subject) and, on a second read-only descriptor that takes
/// no lock, <c>pread</c> (<see cref="RandomAccess"/>), a <see cref="FileStream"/>, a
/// <see cref="MemoryMappedViewAccessor"/> and a bare pointer into a plain mapping. Deleted on dispose.
/// </summary>
public sealed unsafe class StorageFixture : IDisposable
{
    private readonly nint _rawMapping;

    /// <summary>Writes <paramref name="bytes"/> of pseudo-random data to a new temp file and opens every reader on it.</summary>
    public StorageFixture(long bytes)
    {
        Bytes = bytes;
        FilePath = Path.Combine(Path.GetTempPath(), $"bitfuse-storage-bench-{Environment.ProcessId}-{Guid.NewGuid():N}.dat");
        Subject = MappedFile.Create(FilePath);
        try
        {
            var chunk = new byte[4 << 20];
            var random = new Random(7);
            for (long written = 0; written < bytes; written += chunk.Length)
            {
                random.NextBytes(chunk);
                Subject.Append(chunk.AsSpan(0, (int)Math.Min(chunk.Length, bytes - written)));
            }

            // The baselines read through a descriptor of their own: .NET's own open would take a shared
            // flock, which the subject's exclusive lock refuses.
            var fd = Libc.Open(FilePath, Libc.O_RDONLY | Libc.O_CLOEXEC, 0);
            if (fd < 0)
            {
                throw new IOException($"open failed on '{FilePath}'");
            }
            Handle = new SafeFileHandle(fd, ownsHandle: true);
            Stream = new FileStream(Handle, FileAccess.Read);
            MemoryMapped = MemoryMappedFile.CreateFromFile(Handle, null, 0, MemoryMappedFileAccess.Read, HandleInheritability.None, leaveOpen: true);
            Accessor = MemoryMapped.CreateViewAccessor(0, bytes, MemoryMappedFileAccess.Read);
            _rawMapping = Libc.MMap(0, (nuint)bytes, Libc.PROT_READ, Libc.MAP_SHARED, fd, 0);
            if (_rawMapping == Libc.MapFailed)
            {
                throw new IOException($"mmap failed on '{FilePath}'");
            }
            Touch();
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>The file.</summary>
    public string FilePath { get; }

    /// <summary>Its size.</summary>
    public long Bytes { get; }

    /// <summary>Bitfuse's side: a Reserve-strategy mapped file.</summary>
    public MappedFile Subject { get; }

    /// <summary>A read-only handle for <see cref="RandomAccess"/> (<c>pread</c>).</summary>
    public SafeFileHandle Handle { get; } = null!;

    /// <summary>A buffered <see cref="FileStream"/> on <see cref="Handle"/>.</summary>
    public FileStream Stream { get; } = null!;

    /// <summary>The <see cref="MemoryMappedFile"/> behind <see cref="Accessor"/>.</summary>
    public MemoryMappedFile MemoryMapped { get; } = null!;

    /// <summary>A view accessor over the whole file.</summary>
    public MemoryMappedViewAccessor Accessor { get; } = null!;

    /// <summary>A bare pointer to a plain read-only mapping of the whole file: no protocol at all.</summary>
    public byte* RawPointer => (byte*)_rawMapping;

    /// <summary>
    /// The share of the resident bytes in [<paramref name="start"/>, +<paramref name="length"/>) that the
    /// kernel maps with 2 MiB entries (FilePmdMapped / Rss in /proc/self/smaps), or -1 when unknown.
    /// </summary>
    public static double HugePageShare(nint start, long length)
    {
        const string smaps = "/proc/self/smaps";
        if (!File.Exists(smaps))
        {
            return -1;
        }
        long rss = 0, pmd = 0;
        var inside = false;
        foreach (var line in File.ReadLines(smaps))
        {
            var dash = line.IndexOf('-', StringComparison.Ordinal);
            var space = line.IndexOf(' ', StringComparison.Ordinal);
            if (dash > 0 && space > dash && long.TryParse(line.AsSpan(0, dash), System.Globalization.NumberStyles.HexNumber, null, out var from)
                && long.TryParse(line.AsSpan(dash + 1, space - dash - 1), System.Globalization.NumberStyles.HexNumber, null, out var to))
            {
                inside = from >= start && to <= start + length;
                continue;
            }
            if (inside && line.StartsWith("Rss:", StringComparison.Ordinal))
            {
                rss += KiB(line);
            }
            else if (inside && line.StartsWith("FilePmdMapped:", StringComparison.Ordinal))
            {
                pmd += KiB(line);
            }
        }
        return rss == 0 ? -1 : (double)pmd / rss;

        static long KiB(string line) => long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Faults in every page of every mapping, so no side pays first-touch faults while measured.</summary>
    private void Touch()
    {
        ulong sink = 0;
        using (var scope = Subject.BeginRead())
        {
            var p = scope.GetPointer(0, Bytes);
            for (long i = 0; i < Bytes; i += 4096)
            {
                sink += p[i];
            }
        }
        for (long i = 0; i < Bytes; i += 4096)
        {
            sink += RawPointer[i];
            sink += Accessor.ReadByte(i);
        }
        GC.KeepAlive(sink);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Accessor?.Dispose();
        MemoryMapped?.Dispose();
        Stream?.Dispose();
        Handle?.Dispose();
        if (_rawMapping != 0 && _rawMapping != Libc.MapFailed)
        {
            Libc.MUnmap(_rawMapping, (nuint)Bytes);
        }
        Subject.Dispose();
        File.Delete(FilePath);
    }
}
