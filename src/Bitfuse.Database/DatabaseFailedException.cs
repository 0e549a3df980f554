namespace Bitfuse;

/// <summary>
/// The database handle stopped itself after a failure that it must not retry (a failed <c>fdatasync</c>: the
/// kernel may have dropped the pages it could not write). Commits that did not return are not acknowledged;
/// every acknowledged one is on disk. Dispose the handle and open the database again to recover.
/// </summary>
public sealed class DatabaseFailedException : IOException
{
    /// <summary>A handle that failed for <paramref name="inner"/>.</summary>
    public DatabaseFailedException(string path, Exception inner)
        : base($"The database '{path}' stopped after an I/O failure and must be reopened: {inner.Message}", inner)
    {
        DatabasePath = path;
    }

    /// <summary>The database folder.</summary>
    public string DatabasePath { get; }
}
