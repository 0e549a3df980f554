// A file read through a read-only shared mapping and written through pwrite, growing under readers.
//
// State: _length, the published length (release store by the writer, acquire load by readers);
// _mapping, the current address range (replaced by the writer; null once disposed), and for Reserve
// _readBase, its address (0 once disposed), which readers load instead of going through _mapping;
// _writeLock, held by the one writer at a time.
//
// Invariants:
//  G1. Every byte below _length was allocated (fallocate), written (pwrite) and, with
//      SyncBeforePublish, synced, and lies below the current mapping's MappedEnd, before the release
//      store that made _length cover it. Readers therefore never touch a page past the end of the
//      file (no SIGBUS) and never see bytes that were not written.
//  G2. Readers load _length, then _mapping. The writer stores a new mapping before any length that
//      needs it, so a reader that sees a length also sees a mapping that covers it.
//  G3. A reader forms a pointer only after checking [offset, offset + count) against the length it loaded.
//  G4. Nothing a reader may still use is unmapped:
//      - Reserve maps new extents in place and never moves while its reservation lasts, so its readers
//        enter no section. Each reading thread has a read sequence in its own slot, odd while inside a
//        read: a read steps it to odd (a plain store), loads _length and _readBase, and steps it to even
//        when done. To take a range away (the reservation ran out and the file moved to a doubled one,
//        or dispose), the writer publishes the new base (or 0), issues a process-wide barrier (after it,
//        every reader either has its odd step visible or will load the new base), and notes the odd
//        sequences; the range is unmapped once each of those has moved on. An outgrown reservation is
//        checked at later growth steps (the writer never waits for it); dispose waits;
//      - Smr readers enter a section of Bitfuse.Memory's Smr, and a replaced mapping is retired with
//        Smr.Defer: unmapped once every section that could hold it has ended;
//      - UseCount unmaps only while holding the resizing flag with the use count drained (UseCountGate).
//  G5. The file never shrinks while open: the only truncate sets the size to the published length
//      (freeing blocks allocated past it) at open and after everything is unmapped at dispose, and the
//      exclusive flock keeps other cooperating openers out.
//  G6. A failed fdatasync poisons the handle: no later write or flush runs (fail-stop, never retried),
//      because the kernel may already have dropped the dirty pages it could not write.
//  G7. A growth that fails (ENOSPC, EIO, short write) fails before its bytes are published: readers
//      keep seeing the old length and the old, intact mapping.
//
// Growth is amortized: disk is allocated a quarter of the length ahead of the written end, and Reserve
// maps the file into its reservation in large steps (ExtentBytes) past the end. Mapping file pages
// past the end of the file is harmless, because by G1 and G3 no reader touches them before they are
// written and published. So most growing writes are a pwrite and a release store, with no fallocate
// and no mapping change.
using System.Diagnostics;
using System.Runtime.CompilerServices;
using Bitfuse.Memory;
using Bitfuse.Storage.Native;

namespace Bitfuse.Storage;

/// <summary>
/// A file read through a memory mapping (no system call per read, zero-copy spans for kernels) and
/// appended to through <c>pwrite</c>, which keeps growing safely while readers run. The growth
/// strategy is chosen at open (<see cref="GrowthStrategy"/>). Any number of threads may read; writes
/// are serialized. The file is locked exclusively (<c>flock</c>) while open.
/// </summary>
/// <remarks>
/// Reads past <see cref="Length"/> throw <see cref="ArgumentOutOfRangeException"/>; nothing past what
/// was written is ever exposed. A failed <see cref="Flush"/> makes the handle refuse further writes.
/// Read scopes (<see cref="BeginRead"/>) are short, do not nest with other reads of the same file on
/// the same thread, and must be disposed before the file is.
/// </remarks>
public sealed unsafe class MappedFile : IDisposable
{
    private readonly int _fd;
    private readonly IFileIO _io;
    private readonly MappedFileOptions _options;
    private readonly UseCountGate? _gate;
    private readonly Smr? _smr;
    private readonly List<RetiringMapping> _retiring = [];
    private readonly Lock _writeLock = new();
    private readonly ReadCounters _reads;
    private const long HugePageBytes = 2 << 20;
    private const long AllocationAheadDivisor = 4;
    private readonly long _pageSize = Environment.SystemPageSize;
    private Mapping? _mapping;
    private nint _readBase;
    private long _length;
    private long _allocatedEnd;
    private bool _allocationUnsupported;
    private NativeIOException? _syncFailure;
    private AccessPattern _pattern;
    private bool _disposed;
    private long _bytesWritten;
    private long _extensions;
    private long _remaps;
    private long _extentMaps;
    private long _fallbacks;
    private long _resizeWaits;
    private readonly bool _fixedReservation;
    private long _writeTicks;

    private MappedFile(string path, int fd, long size, MappedFileOptions options)
    {
        FilePath = path;
        _reads = new ReadCounters(this);
        _fd = fd;
        _io = options.IO;
        _options = options;
        Strategy = options.Strategy;
        _fixedReservation = options.FixedReservation && options.Strategy == GrowthStrategy.Reserve;
        _length = size;
        _allocatedEnd = size;
        if (Strategy == GrowthStrategy.UseCount)
        {
            _gate = new UseCountGate(options.UseCountOrdering) { Hook = options.UseCountHook };
            _mapping = size == 0 ? Mapping.Empty : MapWhole(size);
        }
        else if (Strategy == GrowthStrategy.Reserve)
        {
            _mapping = Reserve(Math.Max(options.ReservationBytes, size * 2), size);
            _readBase = _mapping.Address;
        }
        else
        {
            // Lazy mode: entering a section is a plain store; the rare remap pays for a process-wide barrier.
            _smr = new Smr(new SmrOptions { Mode = SmrMode.Lazy });
            _mapping = size == 0 ? Mapping.Empty : MapWhole(size);
        }
    }

    /// <summary>The full path of the file.</summary>
    public string FilePath { get; }

    /// <summary>The growth strategy chosen at open.</summary>
    public GrowthStrategy Strategy { get; }

    /// <summary>The published length: every byte below it was written and may be read.</summary>
    /// <exception cref="ObjectDisposedException">The file was disposed.</exception>
    public long Length
    {
        get
        {
            var length = Volatile.Read(ref _length);
            if (Volatile.Read(ref _mapping) is null)
            {
                ThrowDisposed();
            }
            return length;
        }
    }

    /// <summary>Counters since open: reads by mapping and by system call, bytes, growth steps, remaps, fallbacks.</summary>
    public MappedFileStatistics Statistics
    {
        get
        {
            var (mapped, calls, bytes) = _reads.Sum();
            return new MappedFileStatistics(mapped, calls, bytes,
                Volatile.Read(ref _bytesWritten), Volatile.Read(ref _extensions), Volatile.Read(ref _remaps),
                Volatile.Read(ref _extentMaps), Volatile.Read(ref _fallbacks), Volatile.Read(ref _resizeWaits));
        }
    }

    /// <summary>The current address range (tests and benchmarks).</summary>
    internal Mapping? CurrentMapping => Volatile.Read(ref _mapping);

    /// <summary>
    /// Stopwatch ticks the last growing write spent outside copying its data (allocate, map or remap,
    /// drain readers, retire, publish): the growth step's own cost, for benchmarks.
    /// </summary>
    internal long LastGrowthStepTicks { get; private set; }

    /// <summary>The use-count gate, for <see cref="GrowthStrategy.UseCount"/> files (tests).</summary>
    internal UseCountGate? Gate => _gate;

    /// <summary>Creates a new file (it must not exist), locks it and maps it.</summary>
    /// <param name="path">The file to create.</param>
    /// <param name="options">Strategy, sizes and I/O seam; <see langword="null"/> for the defaults.</param>
    /// <exception cref="NativeIOException">The file exists, cannot be created, or is locked by another opener.</exception>
    public static MappedFile Create(string path, MappedFileOptions? options = null) => OpenCore(path, options, create: true);

    /// <summary>Opens an existing file for reading and appending, locks it and maps it.</summary>
    /// <param name="path">The file to open.</param>
    /// <param name="options">Strategy, sizes and I/O seam; <see langword="null"/> for the defaults.</param>
    /// <exception cref="NativeIOException">The file does not exist, cannot be opened, or is locked by another opener.</exception>
    public static MappedFile Open(string path, MappedFileOptions? options = null) => OpenCore(path, options, create: false);

    private static MappedFile OpenCore(string path, MappedFileOptions? options, bool create)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        options ??= new MappedFileOptions();
        options.Validate();
        var full = System.IO.Path.GetFullPath(path);
        var flags = Libc.O_RDWR | Libc.O_CLOEXEC | (create ? Libc.O_CREAT | Libc.O_EXCL : 0);
        var fd = Libc.Open(full, flags, 0b110_100_100);
        if (fd < 0)
        {
            throw Errors.LastFailure(full, create ? "open (create)" : "open");
        }
        try
        {
            if (Libc.FLock(fd, Libc.LOCK_EX | Libc.LOCK_NB) != 0)
            {
                var errno = Errors.LastErrno();
                throw Errors.Failure(full, "flock", errno,
                    errno == Libc.EAGAIN ? "(the file is already open in another MappedFile, in this process or another)" : null);
            }
            if (create)
            {
                SyncDirectory(System.IO.Path.GetDirectoryName(full) ?? "/");
            }
            var size = GiveBackSpacePastTheEnd(full, fd, options.IO);
            return new MappedFile(full, fd, size, options);
        }
        catch
        {
            Libc.Close(fd);
            throw;
        }
    }

    /// <summary>
    /// Returns the file's size, first freeing disk blocks allocated past it (a handle that was not
    /// disposed, e.g. a crashed process, leaves its allocation ahead behind). A few blocks of slack
    /// are allowed for the file system's own metadata, so an unchanged file is not truncated (which
    /// would touch its modification time) on every open.
    /// </summary>
    private static long GiveBackSpacePastTheEnd(string path, int fd, IFileIO io)
    {
        const long slackBytes = 64 << 10;
        var stat = stackalloc byte[Libc.StatBytes];
        if (Libc.FStat(fd, stat) != 0)
        {
            throw Errors.LastFailure(path, "fstat");
        }
        var size = *(long*)(stat + Libc.StatSizeOffset);
        var allocated = *(long*)(stat + Libc.StatBlocksOffset) * 512;
        if (allocated > RoundUp(size, Environment.SystemPageSize) + slackBytes)
        {
            var errno = io.Truncate(fd, size);
            if (errno != 0)
            {
                throw Errors.Failure(path, "ftruncate", errno, $"giving back {allocated - size} bytes allocated past the end ({size} bytes)");
            }
        }
        return size;
    }

    /// <summary>Copies <paramref name="destination"/>.Length bytes starting at <paramref name="offset"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The range reaches past <see cref="Length"/> or starts below 0.</exception>
    /// <exception cref="ObjectDisposedException">The file was disposed.</exception>
    /// <exception cref="InvalidOperationException">The calling thread is inside a read scope of this file (use the scope's own read).</exception>
    public void Read(long offset, Span<byte> destination)
    {
        // The length only grows, so it may be checked before the sequence steps or the section is
        // entered; the mapping loaded afterwards covers at least this length (G2). Nothing between the
        // step (or entering) and leaving can throw (the range is checked, the copy cannot fail), so no
        // try/finally.
        var slot = CurrentSlot();
        var sequence = slot.Counts.Sequence;
        CheckRange(offset, destination.Length, Volatile.Read(ref _length));
        if ((sequence & 1) != 0)
        {
            ThrowInsideScope();
        }
        // Reserve: step the thread's sequence to odd, then load the base (G4). Other strategies keep the
        // base at 0 and take their own protocol.
        Volatile.Write(ref slot.Counts.Sequence, sequence + 1);
        var address = Volatile.Read(ref _readBase);
        if (address == 0)
        {
            ReadThroughProtocol(slot, sequence, offset, destination);
            return;
        }
        MappedCopy.To((byte*)address + offset, destination);
        Volatile.Write(ref slot.Counts.Sequence, sequence + 2);
        slot.CountBytes(destination.Length);
    }

    /// <summary>A read of a UseCount or Smr file (or of a disposed Reserve file): takes back the sequence step first.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ReadThroughProtocol(ReadCounters.Slot slot, long sequence, long offset, Span<byte> destination)
    {
        Volatile.Write(ref slot.Counts.Sequence, sequence);
        if (Strategy == GrowthStrategy.Reserve)
        {
            ThrowDisposed();
        }
        if (_gate is not null)
        {
            ReadUseCount(slot, offset, destination);
            return;
        }
        var section = _smr!.Enter();
        var mapping = Volatile.Read(ref _mapping);
        if (mapping is null)
        {
            LeaveAndThrowDisposed(section);
        }
        MappedCopy.To((byte*)mapping.Address + offset, destination);
        section.Dispose();
        slot.CountMapped(destination.Length);
    }

    private void ReadUseCount(ReadCounters.Slot slot, long offset, Span<byte> destination)
    {
        var gate = _gate!;
        if (gate.TryEnterReader())
        {
            try
            {
                // Loaded after the increment and the flag check: no writer can replace it until we leave (I1).
                var mapping = Volatile.Read(ref _mapping);
                var length = Volatile.Read(ref _length);
                if (mapping is null)
                {
                    ThrowDisposed();
                }
                CheckRange(offset, destination.Length, length);
                gate.Hook?.Invoke(UseCountStep.ReaderWillCopy, mapping.Address);
                MappedCopy.To((byte*)mapping.Address + offset, destination);
            }
            finally
            {
                gate.ExitReader();
            }
            slot.CountMapped(destination.Length);
            return;
        }

        // A resize is in progress: the protocol's fallback is a system call.
        var published = Volatile.Read(ref _length);
        if (Volatile.Read(ref _mapping) is null)
        {
            ThrowDisposed();
        }
        CheckRange(offset, destination.Length, published);
        ReadBySystemCall(offset, destination);
        slot.CountSystemCall(destination.Length);
    }

    private void ReadBySystemCall(long offset, Span<byte> destination)
    {
        fixed (byte* p = destination)
        {
            var done = 0;
            while (done < destination.Length)
            {
                var n = Libc.PRead(_fd, p + done, (nuint)(destination.Length - done), offset + done);
                if (n > 0)
                {
                    done += (int)n;
                    continue;
                }
                if (n == 0)
                {
                    throw new NativeIOException(FilePath, "pread", Libc.EIO,
                        $"pread on '{FilePath}' hit the end of the file at offset {offset + done}, below the published length.");
                }
                var errno = Errors.LastErrno();
                if (errno != Libc.EINTR)
                {
                    throw Errors.Failure(FilePath, "pread", errno, $"at offset {offset + done} ({destination.Length - done} bytes)");
                }
            }
        }
    }

    /// <summary>
    /// Opens a read scope: until it is disposed, <see cref="MappedReadScope.GetSpan"/> and
    /// <see cref="MappedReadScope.GetPointer"/> hand out zero-copy views of the file up to the length
    /// published when the scope began. Keep scopes short; under <see cref="GrowthStrategy.UseCount"/>
    /// an open scope holds growth back, and a scope begun during a resize waits for it to finish.
    /// </summary>
    /// <exception cref="ObjectDisposedException">The file was disposed.</exception>
    /// <exception cref="InvalidOperationException">The calling thread is already inside a read scope of this file.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public MappedReadScope BeginRead()
    {
        var slot = CurrentSlot();
        // Reserve: step the thread's sequence to odd, then load the length and the base (G4). Plain
        // loads and stores on the thread's own slot, and few of them: the fewer loads between two point
        // reads' cache misses, the more misses the core keeps in flight at once.
        var sequence = slot.Counts.Sequence;
        if ((sequence & 1) != 0)
        {
            ThrowInsideScope();
        }
        Volatile.Write(ref slot.Counts.Sequence, sequence + 1);
        var length = Volatile.Read(ref _length);
        var address = Volatile.Read(ref _readBase);
        if (address == 0)
        {
            return BeginReadThroughProtocol(slot, sequence);
        }
        return new MappedReadScope(slot, (byte*)address, length, sequence + 2);
    }

    /// <summary>The calling thread's counter slot for this file: the one it used last, or found by id.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ReadCounters.Slot CurrentSlot()
    {
        var last = ReadCounters.LastUsed;
        return last is not null && ReferenceEquals(last.File, this) ? last : _reads.Find();
    }

    /// <summary>A scope of a UseCount or Smr file (or of a disposed Reserve file): takes back the sequence step first.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private MappedReadScope BeginReadThroughProtocol(ReadCounters.Slot slot, long sequence)
    {
        Volatile.Write(ref slot.Counts.Sequence, sequence);
        if (Strategy == GrowthStrategy.Reserve)
        {
            ThrowDisposed();
        }
        slot.CountMapped(0);
        if (_gate is not null)
        {
            return BeginReadUseCount(slot);
        }
        var section = _smr!.Enter();
        var length = Volatile.Read(ref _length);
        var mapping = Volatile.Read(ref _mapping);
        if (mapping is null)
        {
            LeaveAndThrowDisposed(section);
        }
        return new MappedReadScope(slot, (byte*)mapping.Address, length, 0);
    }

    private MappedReadScope BeginReadUseCount(ReadCounters.Slot slot)
    {
        var gate = _gate!;
        var spin = new SpinWait();
        while (!gate.TryEnterReader())
        {
            if (Volatile.Read(ref _mapping) is null)
            {
                ThrowDisposed();
            }
            spin.SpinOnce();
        }
        var current = Volatile.Read(ref _mapping);
        if (current is null)
        {
            gate.ExitReader();
            ThrowDisposed();
        }
        return new MappedReadScope(slot, (byte*)current.Address, Volatile.Read(ref _length), 0);
    }

    // The throw helpers below are not marked NoInlining on purpose: a method whose body ends in a
    // throw is never inlined anyway, and only when the JIT looks at it can it see that the call does
    // not return, so the hot path around it keeps its values in registers instead of saving them.
    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    private void ThrowInsideScope() =>
        throw new InvalidOperationException($"The calling thread is already inside a read scope of '{FilePath}': read through that scope instead (scopes do not nest).");

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    private void LeaveAndThrowDisposed(ReadScope section)
    {
        section.Dispose();
        throw DisposedException();
    }

    /// <summary>Ends a scope of a UseCount or Smr file (Reserve scopes end with a store in the scope).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    internal void EndRead()
    {
        if (_gate is not null)
        {
            _gate.ExitReader();
        }
        else
        {
            // The section this thread entered in BeginReadThroughProtocol (sections do not nest).
            _smr!.Exit();
        }
    }

    /// <summary>
    /// Low-level: the address of <c>[offset, offset + length)</c> in the mapping, for an owner that reads it
    /// outside read scopes for as long as the file is open. Only a Reserve file opened with a fixed
    /// reservation offers it: its base never moves and nothing is unmapped before <see cref="Dispose"/>, so the
    /// pointer stays valid until then; the owner must not use it after disposing the file.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The range reaches past <see cref="Length"/> or starts below 0.</exception>
    /// <exception cref="InvalidOperationException">The file is not a Reserve file with a fixed reservation.</exception>
    internal byte* PinnedPointer(long offset, long length)
    {
        if (!_fixedReservation)
        {
            throw new InvalidOperationException("Pinned pointers need a Reserve file opened with a fixed reservation.");
        }
        var address = Volatile.Read(ref _readBase);
        ObjectDisposedException.ThrowIf(address == 0, this);
        if (offset < 0 || length < 0 || offset > Volatile.Read(ref _length) - length)
        {
            throw new ArgumentOutOfRangeException(nameof(offset), offset,
                $"The range [{offset}, {offset} + {length}) reaches past the length {Volatile.Read(ref _length)} of '{FilePath}'.");
        }
        return (byte*)address + offset;
    }

    /// <summary>Appends <paramref name="data"/> at the end of the file and publishes it to readers.</summary>
    /// <returns>The offset the data was written at (the length before the call).</returns>
    /// <exception cref="NativeIOException">Allocation or the write failed (nothing was published), or an earlier sync failed.</exception>
    /// <exception cref="ObjectDisposedException">The file was disposed.</exception>
    public long Append(ReadOnlySpan<byte> data)
    {
        lock (_writeLock)
        {
            ThrowIfUnwritable();
            var offset = _length;
            WriteCore(offset, data);
            return offset;
        }
    }

    /// <summary>
    /// Writes <paramref name="data"/> at <paramref name="offset"/>, which may be at most <see cref="Length"/>:
    /// bytes below the length are overwritten in place (readers may see old or new bytes), bytes past it grow the file.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="offset"/> is negative or past <see cref="Length"/> (no holes).</exception>
    /// <exception cref="NativeIOException">Allocation or the write failed (nothing new was published), or an earlier sync failed.</exception>
    /// <exception cref="ObjectDisposedException">The file was disposed.</exception>
    public void Write(long offset, ReadOnlySpan<byte> data)
    {
        lock (_writeLock)
        {
            ThrowIfUnwritable();
            if (offset < 0 || offset > _length)
            {
                throw new ArgumentOutOfRangeException(nameof(offset), offset,
                    $"A write must start between 0 and the length {_length} of '{FilePath}' (files have no holes).");
            }
            WriteCore(offset, data);
        }
    }

    /// <summary>Makes every written byte durable (<c>fdatasync</c>). A failure is final for this handle.</summary>
    /// <exception cref="NativeIOException">The sync failed (now or earlier); reopen the file to continue.</exception>
    /// <exception cref="ObjectDisposedException">The file was disposed.</exception>
    public void Flush()
    {
        lock (_writeLock)
        {
            ThrowIfUnwritable();
            Sync();
        }
    }

    /// <summary>Tells the kernel how the file will be read (<c>madvise</c> on the mapping, <c>posix_fadvise</c> on the file).</summary>
    /// <exception cref="NativeIOException">The kernel refused the hint.</exception>
    /// <exception cref="ObjectDisposedException">The file was disposed.</exception>
    public void Advise(AccessPattern pattern)
    {
        if (!Enum.IsDefined(pattern))
        {
            throw new ArgumentOutOfRangeException(nameof(pattern), pattern, "Unknown access pattern.");
        }
        lock (_writeLock)
        {
            var mapping = _mapping;
            if (mapping is null)
            {
                ThrowDisposed();
            }
            _pattern = pattern;
            AdviseRange(mapping.Address, mapping.MappedEnd);
            var fadvice = pattern switch
            {
                AccessPattern.Random => Libc.POSIX_FADV_RANDOM,
                AccessPattern.Sequential => Libc.POSIX_FADV_SEQUENTIAL,
                AccessPattern.WillNeed => Libc.POSIX_FADV_WILLNEED,
                _ => Libc.POSIX_FADV_NORMAL,
            };
            var errno = Libc.PosixFAdvise(_fd, 0, 0, fadvice);
            if (errno != 0)
            {
                throw Errors.Failure(FilePath, "posix_fadvise", errno);
            }
        }
    }

    /// <summary>
    /// Unmaps the file (after readers have left), gives back the disk allocated ahead of the written
    /// end (truncates to <see cref="Length"/>), closes it and releases its lock.
    /// </summary>
    /// <exception cref="InvalidOperationException">The calling thread is inside a read scope of this file (it would wait for itself).</exception>
    /// <exception cref="NativeIOException">
    /// Giving back the space failed; the file is closed and unlocked all the same, its bytes are
    /// intact, and the next open gives the space back.
    /// </exception>
    public void Dispose()
    {
        lock (_writeLock)
        {
            if (_disposed)
            {
                return;
            }
            if (Strategy == GrowthStrategy.Reserve ? _reads.IsReadingOnCurrentThread() : _smr is not null && _smr.IsInReadSection)
            {
                throw new InvalidOperationException($"Dispose the read scope before the file '{FilePath}': closing waits for every reader, this thread included.");
            }
            _disposed = true;
            var mapping = _mapping!;
            if (_gate is not null)
            {
                // Hold the flag for good: new readers back out, and the ones inside drain first.
                _gate.BeginResize();
                Volatile.Write(ref _mapping, null);
                mapping.Release(FilePath);
            }
            else if (_smr is not null)
            {
                Volatile.Write(ref _mapping, null);
                _smr.Synchronize();
                mapping.Release(FilePath);
                _smr.Dispose();
            }
            else
            {
                // Reserve: unpublish, make every reader's pending sequence step visible, wait for the
                // readers inside to leave (G4). Then no reader holds any range, retiring ones included.
                Volatile.Write(ref _readBase, 0);
                Volatile.Write(ref _mapping, null);
                Interlocked.MemoryBarrierProcessWide();
                ReadCounters.WaitToMoveOn(_reads.ReadersInside());
                mapping.Release(FilePath);
                foreach (var retiring in _retiring)
                {
                    retiring.Mapping.Release(FilePath);
                }
                _retiring.Clear();
            }
            // Nothing is mapped any more: free the blocks allocated ahead of the published length (G5
            // holds: the size does not change, only space past it is released).
            var truncateErrno = _allocatedEnd > _length ? _io.Truncate(_fd, _length) : 0;
            // Unlock explicitly: a child process forked elsewhere in this process may briefly share the
            // descriptor until it execs, and the lock would otherwise live until that copy closes too.
            Libc.FLock(_fd, Libc.LOCK_UN);
            Libc.Close(_fd);
            _reads.Dispose();
            if (truncateErrno != 0)
            {
                throw Errors.Failure(FilePath, "ftruncate", truncateErrno,
                    $"giving back the {_allocatedEnd - _length} bytes allocated past the end ({_length} bytes; the file is closed and intact, and the next open retries)");
            }
        }
    }

    private void WriteCore(long offset, ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty)
        {
            return;
        }
        var end = checked(offset + data.Length);
        if (end <= _length)
        {
            WriteAll(offset, data);
            return;
        }

        // Growth: allocate, write (and sync), make the mapping cover it, then publish (G1, G7).
        var start = Stopwatch.GetTimestamp();
        ReleaseRetired();
        _writeTicks = 0;
        EnsureAllocated(end);
        if (_gate is not null)
        {
            GrowUseCount(offset, data, end);
        }
        else
        {
            WriteAll(offset, data);
            if (_options.SyncBeforePublish)
            {
                Sync();
            }
            if (Strategy == GrowthStrategy.Reserve)
            {
                EnsureReserveCovers(end);
            }
            else if (end > _mapping!.MappedEnd)
            {
                Replace(MapWhole(end));
            }
            Volatile.Write(ref _length, end);
        }
        LastGrowthStepTicks = Stopwatch.GetTimestamp() - start - _writeTicks;
        Interlocked.Increment(ref _extensions);
    }

    private void GrowUseCount(long offset, ReadOnlySpan<byte> data, long end)
    {
        var gate = _gate!;
        if (gate.BeginResize())
        {
            Interlocked.Increment(ref _resizeWaits);
        }
        try
        {
            WriteAll(offset, data);
            if (_options.SyncBeforePublish)
            {
                Sync();
            }
            var old = _mapping!;
            var fresh = MapWhole(end);
            old.Release(FilePath);
            gate.Hook?.Invoke(UseCountStep.WriterUnmapped, old.Address);
            Volatile.Write(ref _mapping, fresh);
            Volatile.Write(ref _length, end);
            Interlocked.Increment(ref _remaps);
        }
        finally
        {
            gate.EndResize(setByCaller: true);
        }
    }

    private void EnsureReserveCovers(long end)
    {
        var mapping = _mapping!;
        if (end <= mapping.MappedEnd)
        {
            return;
        }
        if (RoundUp(end, _pageSize) > mapping.Capacity)
        {
            if (_fixedReservation)
            {
                throw new IOException(
                    $"'{FilePath}' cannot grow to {end} bytes: its fixed address reservation holds {mapping.Capacity} bytes.");
            }
            // The reservation ran out: move the file into a doubled one and retire the old range through SMR.
            Replace(Reserve(Math.Max(mapping.Capacity * 2, end * 2), end));
            Interlocked.Increment(ref _fallbacks);
            return;
        }
        var target = Math.Min(RoundUp(end, ExtentGranule()), mapping.Capacity);
        MapFixed(mapping.Address + (nint)mapping.MappedEnd, mapping.MappedEnd, target - mapping.MappedEnd);
        AdviseRange(mapping.Address + (nint)mapping.MappedEnd, target - mapping.MappedEnd);
        mapping.MappedEnd = target;
        Interlocked.Increment(ref _extentMaps);
    }

    /// <summary>Publishes <paramref name="fresh"/> and retires the current mapping once no reader can hold it (G4).</summary>
    private void Replace(Mapping fresh)
    {
        var old = _mapping!;
        if (Strategy == GrowthStrategy.Reserve)
        {
            // Reserve: the readers inside a read now may hold the old base; a read that begins after
            // the barrier loads the new one. The old range goes once those have moved on (G4).
            Volatile.Write(ref _readBase, fresh.Address);
            Volatile.Write(ref _mapping, fresh);
            Interlocked.Increment(ref _remaps);
            Interlocked.MemoryBarrierProcessWide();
            _retiring.Add(new RetiringMapping(old, _reads.ReadersInside()));
            ReleaseRetired();
            return;
        }
        Volatile.Write(ref _mapping, fresh);
        Interlocked.Increment(ref _remaps);
        if (old.Capacity > 0)
        {
            var path = FilePath;
            var smr = _smr!;
            smr.Defer(smr.Advance(), () => old.Release(path));
        }
    }

    /// <summary>Unmaps the outgrown reservations whose readers have all moved on (Reserve; under the write lock).</summary>
    private void ReleaseRetired()
    {
        for (var i = _retiring.Count - 1; i >= 0; i--)
        {
            if (ReadCounters.HaveMovedOn(_retiring[i].ReadersInside))
            {
                var retired = _retiring[i].Mapping;
                _retiring.RemoveAt(i);
                retired.Release(FilePath);
            }
        }
    }

    /// <summary>Outgrown reservations still mapped (Reserve), waiting for the readers that may hold them (tests).</summary>
    internal int RetiringMappings
    {
        get
        {
            lock (_writeLock)
            {
                return _retiring.Count;
            }
        }
    }

    /// <summary>An outgrown reservation and the readers that were inside a read when it was replaced.</summary>
    private readonly record struct RetiringMapping(Mapping Mapping, ReadCounters.ReaderSnapshot[] ReadersInside);

    /// <summary>Maps the first <paramref name="length"/> bytes of the file (rounded up to pages) at a new address.</summary>
    private Mapping MapWhole(long length)
    {
        var size = RoundUp(length, _pageSize);
        var address = Libc.MMap(0, (nuint)size, Libc.PROT_READ, Libc.MAP_SHARED, _fd, 0);
        if (address == Libc.MapFailed)
        {
            throw Errors.LastFailure(FilePath, "mmap", $"of {size} bytes");
        }
        AdviseRange(address, size);
        return new Mapping(address, size, size);
    }

    /// <summary>Reserves <paramref name="capacity"/> bytes of address space and maps the file's first <paramref name="fileLength"/> bytes into it.</summary>
    private Mapping Reserve(long capacity, long fileLength)
    {
        var granule = ExtentGranule();
        capacity = RoundUp(capacity, _pageSize);
        // Over-reserve by one huge page and start on a 2 MiB boundary: file offsets and addresses then
        // agree modulo 2 MiB, so the kernel can map the page cache's 2 MiB folios with one TLB entry each.
        var reserved = capacity + HugePageBytes;
        var address = Libc.MMap(0, (nuint)reserved, Libc.PROT_NONE,
            Libc.MAP_PRIVATE | Libc.MAP_ANONYMOUS | Libc.MAP_NORESERVE, -1, 0);
        if (address == Libc.MapFailed)
        {
            throw Errors.LastFailure(FilePath, "mmap", $"(reserving {reserved} bytes of address space)");
        }
        var aligned = (nint)RoundUp(address, HugePageBytes);
        var mapping = new Mapping(aligned, capacity, 0, address, reserved);
        if (fileLength > 0)
        {
            try
            {
                var mapped = Math.Min(RoundUp(fileLength, granule), capacity);
                MapFixed(aligned, 0, mapped);
                AdviseRange(aligned, mapped);
                mapping.MappedEnd = mapped;
            }
            catch
            {
                mapping.Release(FilePath);
                throw;
            }
        }
        return mapping;
    }

    private void MapFixed(nint address, long fileOffset, long length)
    {
        var result = Libc.MMap(address, (nuint)length, Libc.PROT_READ, Libc.MAP_SHARED | Libc.MAP_FIXED, _fd, fileOffset);
        if (result != address)
        {
            throw Errors.LastFailure(FilePath, "mmap", $"(extent at file offset {fileOffset}, {length} bytes)");
        }
    }

    private void AdviseRange(nint address, long length)
    {
        if (_pattern == AccessPattern.Normal || length == 0)
        {
            return;
        }
        var advice = _pattern switch
        {
            AccessPattern.Random => Libc.MADV_RANDOM,
            AccessPattern.Sequential => Libc.MADV_SEQUENTIAL,
            _ => Libc.MADV_WILLNEED,
        };
        if (Libc.MAdvise(address, (nuint)length, advice) != 0)
        {
            throw Errors.LastFailure(FilePath, "madvise");
        }
    }

    private void EnsureAllocated(long end)
    {
        if (end <= _allocatedEnd || _allocationUnsupported)
        {
            return;
        }
        // Allocate a quarter ahead: a file that keeps growing calls fallocate O(log n) times, so almost
        // no growth step pays for it. ENOSPC on the step ahead retries with just what the write needs.
        var ahead = Math.Min(end / AllocationAheadDivisor, MappedFileOptions.MaxAllocationAheadBytes);
        var target = RoundUp(end + ahead, _options.AllocationBytes);
        var errno = _io.Allocate(_fd, _allocatedEnd, target - _allocatedEnd);
        if (errno == Libc.ENOSPC && target > end)
        {
            // The step ahead may not fit where the write itself would.
            target = end;
            errno = _io.Allocate(_fd, _allocatedEnd, target - _allocatedEnd);
        }
        if (errno == Libc.EOPNOTSUPP)
        {
            // The file system cannot preallocate: the write itself allocates and reports ENOSPC before publication.
            _allocationUnsupported = true;
            return;
        }
        if (errno != 0)
        {
            throw Errors.Failure(FilePath, "fallocate", errno, $"growing to {end} bytes (nothing was written; the length stays {_length})");
        }
        _allocatedEnd = target;
    }

    private void WriteAll(long offset, ReadOnlySpan<byte> data)
    {
        var start = Stopwatch.GetTimestamp();
        var done = 0;
        while (done < data.Length)
        {
            var n = _io.Write(_fd, data[done..], offset + done);
            if (n < 0)
            {
                throw Errors.Failure(FilePath, "pwrite", (int)-n,
                    $"at offset {offset + done} ({data.Length - done} of {data.Length} bytes left; the length stays {_length})");
            }
            if (n == 0)
            {
                throw new NativeIOException(FilePath, "pwrite", Libc.EIO,
                    $"pwrite on '{FilePath}' wrote nothing at offset {offset + done} ({data.Length - done} of {data.Length} bytes left; the length stays {_length}).");
            }
            done += (int)n;
            Interlocked.Add(ref _bytesWritten, n);
        }
        _writeTicks += Stopwatch.GetTimestamp() - start;
    }

    private void Sync()
    {
        var errno = _io.Sync(_fd);
        if (errno != 0)
        {
            _syncFailure = Errors.Failure(FilePath, "fdatasync", errno,
                "(the handle is now unusable for writing: the kernel may have dropped the unwritten pages, so the sync is not retried)");
            throw _syncFailure;
        }
    }

    private void ThrowIfUnwritable()
    {
        if (_disposed)
        {
            ThrowDisposed();
        }
        if (_syncFailure is { } failure)
        {
            throw new NativeIOException(FilePath, failure.Operation, failure.Errno,
                $"'{FilePath}' refuses writes: an earlier fdatasync failed ({Errors.Describe(failure.Errno)}). Reopen the file and check what it holds.");
        }
    }

    private long ExtentGranule() => RoundUp(_options.ExtentBytes, _pageSize);

    private static long RoundUp(long value, long granule) => checked((value + granule - 1) / granule * granule);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void CheckRange(long offset, long count, long length)
    {
        if ((ulong)offset > (ulong)length || (ulong)count > (ulong)(length - offset))
        {
            ThrowOutOfRange(offset, count, length);
        }
    }

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    internal void ThrowOutOfRange(long offset, long count, long length) =>
        throw new ArgumentOutOfRangeException(nameof(offset),
            $"The range at offset {offset} of {count} bytes lies outside the published length {length} of '{FilePath}'.");

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    internal void ThrowDisposed() => throw DisposedException();

    [MethodImpl(MethodImplOptions.NoInlining)]
    private ObjectDisposedException DisposedException() => new(nameof(MappedFile), $"'{FilePath}' was closed.");

    /// <summary>Makes the names in <paramref name="directory"/> durable (<c>fsync</c> of the directory).</summary>
    internal static void SyncDirectory(string directory)
    {
        var fd = Libc.Open(directory, Libc.O_RDONLY | Libc.O_DIRECTORY | Libc.O_CLOEXEC, 0);
        if (fd < 0)
        {
            throw Errors.LastFailure(directory, "open directory");
        }
        try
        {
            if (Libc.FSync(fd) != 0)
            {
                throw Errors.LastFailure(directory, "fsync directory");
            }
        }
        finally
        {
            Libc.Close(fd);
        }
    }
}
