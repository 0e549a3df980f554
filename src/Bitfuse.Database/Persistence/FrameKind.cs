namespace Bitfuse.Persistence;

/// <summary>What a frame of the data file holds.</summary>
internal enum FrameKind : uint
{
    /// <summary>One bitmap in the direct-read block layout.</summary>
    Bitmap = 1,

    /// <summary>The names of a checkpoint and where their bitmaps are.</summary>
    Directory = 2,
}
