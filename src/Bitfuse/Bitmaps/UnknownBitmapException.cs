namespace Bitfuse;

/// <summary>A name that a <see cref="BitmapSet"/> (or a query over it) does not hold. The message suggests the closest known names.</summary>
public sealed class UnknownBitmapException : KeyNotFoundException
{
    /// <summary>Creates the exception for <paramref name="name"/> with up to three <paramref name="suggestions"/>.</summary>
    public UnknownBitmapException(string name, IReadOnlyList<string> suggestions)
        : base(suggestions.Count == 0
            ? $"unknown bitmap {NameText.Quote(name)}"
            : $"unknown bitmap {NameText.Quote(name)}; did you mean {string.Join(", ", suggestions.Select(NameText.Quote))}?")
    {
        Name = name;
        Suggestions = suggestions;
    }

    /// <summary>Creates the exception with a plain message.</summary>
    public UnknownBitmapException()
        : this("?", [])
    {
    }

    /// <summary>Creates the exception with a plain message.</summary>
    public UnknownBitmapException(string message)
        : base(message)
    {
        Name = "";
        Suggestions = [];
    }

    /// <summary>Creates the exception with a plain message and an inner exception.</summary>
    public UnknownBitmapException(string message, Exception innerException)
        : base(message, innerException)
    {
        Name = "";
        Suggestions = [];
    }

    /// <summary>The unknown name.</summary>
    public string Name { get; }

    /// <summary>Known names close to <see cref="Name"/>, closest first.</summary>
    public IReadOnlyList<string> Suggestions { get; }

    /// <summary>Up to three of <paramref name="known"/> closest to <paramref name="name"/> by edit distance (within a third of its length, at least 2).</summary>
    public static IReadOnlyList<string> Closest(string name, IEnumerable<string> known)
    {
        var limit = Math.Max(2, name.Length / 3);
        var scored = new List<(int Distance, string Name)>();
        foreach (var candidate in known)
        {
            var distance = EditDistance(name, candidate);
            if (distance <= limit || candidate.StartsWith(name, StringComparison.OrdinalIgnoreCase))
            {
                scored.Add((distance, candidate));
            }
        }
        scored.Sort((x, y) => x.Distance != y.Distance ? x.Distance.CompareTo(y.Distance) : string.CompareOrdinal(x.Name, y.Name));
        var result = new List<string>(3);
        foreach (var (_, candidate) in scored)
        {
            if (result.Count == 3)
            {
                break;
            }
            if (!result.Contains(candidate))
            {
                result.Add(candidate);
            }
        }
        return result;
    }

    private static int EditDistance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }
        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = char.ToLowerInvariant(a[i - 1]) == char.ToLowerInvariant(b[j - 1]) ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }
            (previous, current) = (current, previous);
        }
        return previous[b.Length];
    }
}
