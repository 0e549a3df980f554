namespace Bitfuse;

/// <summary>What a database holds and what it has done since it was opened.</summary>
public sealed record DatabaseStatistics
{
    /// <summary>Names in the current version.</summary>
    public required int Names { get; init; }

    /// <summary>The last acknowledged commit.</summary>
    public required long Lsn { get; init; }

    /// <summary>The last commit folded into the data file.</summary>
    public required long CheckpointLsn { get; init; }

    /// <summary>The checkpoint's generation (1 for a new database).</summary>
    public required long CheckpointGeneration { get; init; }

    /// <summary>Bytes of the data file.</summary>
    public required long DataFileBytes { get; init; }

    /// <summary>Bytes of the current log file.</summary>
    public required long LogBytes { get; init; }

    /// <summary>Names changed since the last checkpoint (held in memory).</summary>
    public required int NamesInMemory { get; init; }

    /// <summary>Bytes of containers the current version holds in memory.</summary>
    public required long LiveContainerBytes { get; init; }

    /// <summary>Bytes of replaced containers kept for older versions that snapshots still read.</summary>
    public required long RetainedContainerBytes { get; init; }

    /// <summary>Versions still referenced (the current one included).</summary>
    public required int LiveVersions { get; init; }

    /// <summary>Commits acknowledged since open.</summary>
    public required long Commits { get; init; }

    /// <summary>Log syncs since open (fewer than commits when group commit shared them).</summary>
    public required long LogSyncs { get; init; }

    /// <summary>Checkpoints completed since open.</summary>
    public required long Checkpoints { get; init; }

    /// <summary>Log records replayed when the database was opened.</summary>
    public required int RecoveredRecords { get; init; }

    /// <summary>Bytes of a torn log tail dropped when the database was opened.</summary>
    public required long TornBytesDropped { get; init; }
}
