namespace Bitfuse.Server;

/// <summary>The answer of <c>GET /bitmaps</c>.</summary>
/// <param name="Lsn">The commit the list is of.</param>
/// <param name="Total">Names in the database.</param>
/// <param name="Bitmaps">The names listed (ordinal order), with their sizes.</param>
/// <param name="Truncated">True when more names match than were listed.</param>
public sealed record BitmapList(long Lsn, int Total, IReadOnlyList<BitmapSummary> Bitmaps, bool Truncated);

/// <summary>One bitmap's name, cardinality and containers by kind.</summary>
public sealed record BitmapSummary(string Name, long Cardinality, int ArrayContainers, int BitsetContainers, int RunContainers, long SerializedBytes);

/// <summary>The answer of <c>PUT /bitmaps/{name}</c> and <c>DELETE /bitmaps/{name}</c>.</summary>
/// <param name="Name">The bitmap's name.</param>
/// <param name="Cardinality">Its cardinality after the write (0 after a delete).</param>
/// <param name="Lsn">The last acknowledged commit when this one returned.</param>
public sealed record BitmapWritten(string Name, long Cardinality, long Lsn);
