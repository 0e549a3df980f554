namespace Bitfuse;

/// <summary>
/// A database file holds bytes that fail a checksum or a structural check. Nothing was changed: the message
/// names the file and the byte offset of the first bad byte found.
/// </summary>
public sealed class DatabaseCorruptException : IOException
{
    /// <summary>A corruption found in <paramref name="filePath"/> at byte <paramref name="offset"/>.</summary>
    public DatabaseCorruptException(string filePath, long offset, string problem, Exception? inner = null)
        : base($"'{filePath}' is corrupt at byte offset {offset}: {problem}", inner)
    {
        FilePath = filePath;
        Offset = offset;
        Problem = problem;
    }

    /// <summary>The file that holds the bad bytes.</summary>
    public string FilePath { get; }

    /// <summary>The byte offset of the problem in <see cref="FilePath"/>.</summary>
    public long Offset { get; }

    /// <summary>What is wrong, without the file and offset.</summary>
    public string Problem { get; }
}
