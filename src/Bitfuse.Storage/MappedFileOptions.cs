namespace Bitfuse.Storage;

/// <summary>How a <see cref="MappedFile"/> is opened: its growth strategy, sizes and I/O seam.</summary>
public sealed record MappedFileOptions
{
    /// <summary>The default address range a <see cref="GrowthStrategy.Reserve"/> file reserves: 64 GiB (address space only, no memory).</summary>
    public const long DefaultReservationBytes = 64L << 30;

    /// <summary>The default granule of disk allocation ahead of the written end: 1 MiB.</summary>
    public const long DefaultAllocationBytes = 1 << 20;

    /// <summary>
    /// The default step in which Reserve maps the file into its reservation: 1 GiB. Mapping is cheap
    /// (address space and page tables only, filled as pages are read), so a large step means a growing
    /// file almost never changes its mapping.
    /// </summary>
    public const long DefaultExtentBytes = 1L << 30;

    /// <summary>
    /// The most disk a growing file allocates ahead of its written end in one step: 1 GiB (see
    /// <see cref="AllocationBytes"/>).
    /// </summary>
    public const long MaxAllocationAheadBytes = 1L << 30;

    /// <summary>How readers are kept safe while the file grows. Default <see cref="GrowthStrategy.Reserve"/>.</summary>
    public GrowthStrategy Strategy { get; init; } = GrowthStrategy.Reserve;

    /// <summary>
    /// The address range a Reserve file reserves at open (rounded up to pages; at least twice the file).
    /// When the file outgrows it, the file moves to a doubled range through SMR.
    /// </summary>
    public long ReservationBytes { get; init; } = DefaultReservationBytes;

    /// <summary>
    /// Disk blocks are allocated (<c>fallocate</c>) in multiples of this many bytes. A write past the
    /// allocated end allocates through its own end plus a quarter of that end (at most
    /// <see cref="MaxAllocationAheadBytes"/>), so a file that keeps growing calls <c>fallocate</c> a
    /// logarithmic number of times; up to that quarter may stay allocated past the end of the file.
    /// </summary>
    public long AllocationBytes { get; init; } = DefaultAllocationBytes;

    /// <summary>
    /// Reserve maps the file into its reservation in steps of this many bytes (rounded up to pages),
    /// ahead of the file's end; readers never touch mapped bytes past the published length.
    /// </summary>
    public long ExtentBytes { get; init; } = DefaultExtentBytes;

    /// <summary>
    /// When true, every write that grows the file is made durable (<c>fdatasync</c>) before its bytes
    /// are published to readers. When false (default), readers see written bytes at once and
    /// <see cref="MappedFile.Flush"/> makes them durable.
    /// </summary>
    public bool SyncBeforePublish { get; init; }

    /// <summary>The seam every write, allocation and sync goes through. Default: the real system calls.</summary>
    public IFileIO IO { get; init; } = PosixFileIO.Instance;

    /// <summary>
    /// Reserve only: never move to a larger reservation; a write that would outgrow it fails before anything
    /// is published. Owners that keep pointers into the mapping for the file's lifetime
    /// (<see cref="MappedFile.PinnedPointer"/>) need the base never to move.
    /// </summary>
    internal bool FixedReservation { get; init; }

    /// <summary>The use-count ordering (regression tests run the original one).</summary>
    internal UseCountOrdering UseCountOrdering { get; init; } = UseCountOrdering.Current;

    /// <summary>A hook run between the use-count protocol's steps (tests only).</summary>
    internal Action<UseCountStep, nint>? UseCountHook { get; init; }

    internal void Validate()
    {
        if (!Enum.IsDefined(Strategy))
        {
            throw new ArgumentOutOfRangeException(nameof(Strategy), Strategy, "Unknown growth strategy.");
        }
        ArgumentOutOfRangeException.ThrowIfLessThan(ReservationBytes, 1, nameof(ReservationBytes));
        ArgumentOutOfRangeException.ThrowIfLessThan(AllocationBytes, 1, nameof(AllocationBytes));
        ArgumentOutOfRangeException.ThrowIfLessThan(ExtentBytes, 1, nameof(ExtentBytes));
        ArgumentNullException.ThrowIfNull(IO, nameof(IO));
    }
}
