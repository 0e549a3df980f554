namespace Bitfuse.Persistence;

/// <summary>
/// One named bitmap as a version holds it: either stored in the data file (a frame, viewed zero-copy on first
/// use and checked then) or changed since the last checkpoint (a bitmap over containers the database owns).
/// Entries are immutable once published and shared by every version that did not change the name.
/// </summary>
internal sealed class NameEntry
{
    private readonly DataFile? _file;
    private Bitmap? _bitmap;

    private NameEntry(string name, DataFile? file, long frameOffset, Bitmap? bitmap)
    {
        Name = name;
        _file = file;
        FrameOffset = frameOffset;
        _bitmap = bitmap;
    }

    /// <summary>The bitmap's name.</summary>
    public string Name { get; }

    /// <summary>Where its frame is in the data file; 0 for a bitmap changed since the last checkpoint.</summary>
    public long FrameOffset { get; }

    /// <summary>True when the bitmap lies in the data file.</summary>
    public bool IsStored => FrameOffset != 0;

    /// <summary>An entry for the bitmap frame at <paramref name="frameOffset"/> of <paramref name="file"/>.</summary>
    public static NameEntry Stored(string name, DataFile file, long frameOffset) => new(name, file, frameOffset, null);

    /// <summary>An entry for a bitmap over containers the database owns.</summary>
    public static NameEntry InMemory(string name, Bitmap bitmap) => new(name, null, 0, bitmap);

    /// <summary>
    /// The bitmap (read-only). A stored one is viewed in place the first time; its frame's checksum and structure
    /// are checked then, so a corrupt frame fails the read that meets it, with the file and offset.
    /// </summary>
    /// <exception cref="DatabaseCorruptException">The stored frame is corrupt.</exception>
    public Bitmap Bitmap
    {
        get
        {
            var bitmap = Volatile.Read(ref _bitmap);
            if (bitmap is not null)
            {
                return bitmap;
            }
            var view = _file!.ViewBitmap(FrameOffset, checkContents: true);
            return Interlocked.CompareExchange(ref _bitmap, view, null) ?? view;
        }
    }

    /// <summary>True when the bitmap is in memory or already viewed (no read of the file needed).</summary>
    public bool IsLoaded => Volatile.Read(ref _bitmap) is not null;
}
