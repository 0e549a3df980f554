namespace Bitfuse;

/// <summary>What an import did, and what the database holds on disk after its closing checkpoint.</summary>
public sealed record ImportSummary
{
    /// <summary>Names the import added values to.</summary>
    public required int Names { get; init; }

    /// <summary>Values imported (distinct per name: a value given twice for one name counts once).</summary>
    public required long Values { get; init; }

    /// <summary>Bytes of input read.</summary>
    public required long InputBytes { get; init; }

    /// <summary>Transactions committed.</summary>
    public required int Transactions { get; init; }

    /// <summary>Wall time from the first byte read to the end of the checkpoint.</summary>
    public required TimeSpan Elapsed { get; init; }

    /// <summary>Bytes of the data file after the checkpoint.</summary>
    public required long DataFileBytes { get; init; }

    /// <summary>Bytes of the log after the checkpoint (its header when nothing was committed since).</summary>
    public required long LogBytes { get; init; }

    /// <summary>Data file and log together.</summary>
    public long BytesOnDisk => DataFileBytes + LogBytes;

    /// <summary>Imported values per second.</summary>
    public double ValuesPerSecond => Elapsed > TimeSpan.Zero ? Values / Elapsed.TotalSeconds : 0;

    /// <summary>Bytes the data file and the log grew by over the import (their sum may shrink when a log is cut).</summary>
    public required long BytesAdded { get; init; }

    /// <summary>Bytes added on disk per value imported.</summary>
    public double BytesPerValue => Values > 0 ? (double)BytesAdded / Values : 0;
}
