namespace Bitfuse;

/// <summary>What an export wrote.</summary>
/// <param name="Names">Bitmaps written.</param>
/// <param name="Values">Values written.</param>
/// <param name="Bytes">Bytes written.</param>
/// <param name="Elapsed">Wall time of the export.</param>
public sealed record ExportSummary(int Names, long Values, long Bytes, TimeSpan Elapsed);
