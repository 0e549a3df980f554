namespace Bitfuse.Bitmaps;

/// <summary>
/// Builds the exceptions for malformed serialized data. <see cref="InvalidDataException"/> is sealed, so the
/// byte offset goes into the message ("at byte offset N: ...") and into <see cref="Exception.Data"/> under
/// <see cref="OffsetKey"/>.
/// </summary>
internal static class FormatError
{
    /// <summary>The <see cref="Exception.Data"/> key holding the offending byte offset (a <see cref="long"/>).</summary>
    public const string OffsetKey = "Offset";

    /// <summary>An exception for a problem found at byte <paramref name="offset"/>.</summary>
    public static InvalidDataException At(long offset, string problem)
    {
        var e = new InvalidDataException($"Invalid bitmap data at byte offset {offset}: {problem}");
        e.Data[OffsetKey] = offset;
        return e;
    }
}
