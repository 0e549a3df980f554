namespace Bitfuse.Benchmarks.Compare;

/// <summary>
/// What a side computed, reduced to something every side can produce: the cardinality and a hash of the
/// values in ascending order. Two sides agree when both are equal. Cases that only count compare the
/// cardinality (<see cref="OfCount"/>).
/// </summary>
public readonly record struct Answer(long Cardinality, ulong Hash)
{
    private const ulong Prime = 0x100000001B3;
    private const ulong Offset = 0xCBF29CE484222325;

    /// <summary>The answer for sorted <paramref name="values"/>.</summary>
    public static Answer Of(ReadOnlySpan<uint> values)
    {
        var hash = Offset;
        foreach (var v in values)
        {
            hash = (hash ^ v) * Prime;
        }
        return new Answer(values.Length, hash);
    }

    /// <summary>The answer for a side that writes <paramref name="words"/>: their number and a hash of them in order.</summary>
    public static Answer OfWords(ReadOnlySpan<ulong> words)
    {
        var hash = Offset;
        foreach (var w in words)
        {
            hash = (hash ^ w) * Prime;
        }
        return new Answer(words.Length, hash);
    }

    /// <summary>The answer of a side that computes only a count (or a sum, or a number of hits).</summary>
    public static Answer OfCount(long count) => new(count, 0);

    /// <summary>The answer for a Bitfuse bitmap.</summary>
    public static Answer Of(Bitmap bitmap) => Of(bitmap.ToArray());

    /// <inheritdoc />
    public override string ToString() => Hash == 0 ? $"{Cardinality}" : $"{Cardinality} values, hash {Hash:x16}";
}

/// <summary>Thrown when two sides of a case computed different answers: the run fails.</summary>
public sealed class AnswerMismatchException(string message) : Exception(message);
