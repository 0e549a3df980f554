namespace Bitfuse.Persistence;

/// <summary>
/// The order of names everywhere in a database: <see cref="string.CompareOrdinal(string, string)"/> (UTF-16 code
/// units), also computed straight on the UTF-8 bytes a directory stores, so a lookup never decodes a name.
/// UTF-8 bytes sort by code point, which is UTF-16 order except that U+E000–U+FFFF (lead bytes 0xEE, 0xEF) sort
/// after the supplementary planes (lead bytes 0xF0–0xF4, surrogates in UTF-16): at the first differing byte —
/// always a lead byte of both, or a continuation byte of both — lifting 0xEE and 0xEF above 0xF4 gives UTF-16 order.
/// </summary>
internal static class NameOrder
{
    /// <summary>Below, at or above zero as <paramref name="a"/> sorts before, with or after <paramref name="b"/> (both UTF-8).</summary>
    public static int Compare(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        var common = a.CommonPrefixLength(b);
        if (common == a.Length || common == b.Length)
        {
            return a.Length - b.Length;
        }
        return Rank(a[common]) - Rank(b[common]);
    }

    private static int Rank(byte b) => b is 0xEE or 0xEF ? b + 0x10 : b;
}
