using System.Globalization;
using System.Numerics;
using System.Text;

namespace Bitfuse.Isolation;

/// <summary>
/// An immutable set of CPU numbers, as the kernel writes them: cpulists (<c>0-3,8,10-11</c>) and hex masks
/// (comma-separated 32-bit words, most significant first, so machines with more than 64 CPUs work).
/// </summary>
[System.Text.Json.Serialization.JsonConverter(typeof(CpuSetJsonConverter))]
public sealed class CpuSet : IEquatable<CpuSet>
{
    /// <summary>The largest CPU number accepted (the kernel's NR_CPUS upper bound is 8192).</summary>
    public const int MaxCpu = 8191;

    private readonly ulong[] _words;

    private CpuSet(ulong[] words)
    {
        var length = words.Length;
        while (length > 0 && words[length - 1] == 0)
        {
            length--;
        }
        _words = length == words.Length ? words : words.AsSpan(0, length).ToArray();
    }

    /// <summary>The empty set.</summary>
    public static CpuSet Empty { get; } = new([]);

    /// <summary>A set holding <paramref name="cpus"/>.</summary>
    public static CpuSet Of(params ReadOnlySpan<int> cpus)
    {
        var max = -1;
        foreach (var cpu in cpus)
        {
            CheckCpu(cpu);
            max = Math.Max(max, cpu);
        }
        var words = new ulong[(max >> 6) + 1];
        foreach (var cpu in cpus)
        {
            words[cpu >> 6] |= 1UL << (cpu & 63);
        }
        return new CpuSet(words);
    }

    /// <summary>CPUs <paramref name="first"/> to <paramref name="last"/>, both included.</summary>
    public static CpuSet Range(int first, int last)
    {
        CheckCpu(first);
        CheckCpu(last);
        if (last < first)
        {
            throw new ArgumentException($"CPU range {first}-{last} is backwards", nameof(last));
        }
        var words = new ulong[(last >> 6) + 1];
        for (var cpu = first; cpu <= last; cpu++)
        {
            words[cpu >> 6] |= 1UL << (cpu & 63);
        }
        return new CpuSet(words);
    }

    /// <summary>Builds a set from the words of a <c>cpu_set_t</c> (bit <c>n</c> of word <c>n / 64</c> is CPU <c>n</c>).</summary>
    public static CpuSet FromWords(ReadOnlySpan<ulong> words) => new(words.ToArray());

    /// <summary>How many CPUs are in the set.</summary>
    public int Count
    {
        get
        {
            var count = 0;
            foreach (var word in _words)
            {
                count += BitOperations.PopCount(word);
            }
            return count;
        }
    }

    /// <summary>True when the set holds no CPU.</summary>
    public bool IsEmpty => _words.Length == 0;

    /// <summary>The highest CPU in the set, or -1 when empty.</summary>
    public int Max => _words.Length == 0 ? -1 : ((_words.Length - 1) << 6) + 63 - BitOperations.LeadingZeroCount(_words[^1]);

    /// <summary>The lowest CPU in the set, or -1 when empty.</summary>
    public int Min
    {
        get
        {
            for (var i = 0; i < _words.Length; i++)
            {
                if (_words[i] != 0)
                {
                    return (i << 6) + BitOperations.TrailingZeroCount(_words[i]);
                }
            }
            return -1;
        }
    }

    /// <summary>The words of the set, as a <c>cpu_set_t</c> wants them.</summary>
    public ReadOnlySpan<ulong> Words => _words;

    /// <summary>True when <paramref name="cpu"/> is in the set.</summary>
    public bool Contains(int cpu) => cpu >= 0 && (cpu >> 6) < _words.Length && (_words[cpu >> 6] & (1UL << (cpu & 63))) != 0;

    /// <summary>The CPUs in ascending order.</summary>
    public IEnumerable<int> Cpus
    {
        get
        {
            for (var i = 0; i < _words.Length; i++)
            {
                var word = _words[i];
                while (word != 0)
                {
                    yield return (i << 6) + BitOperations.TrailingZeroCount(word);
                    word &= word - 1;
                }
            }
        }
    }

    /// <summary>The CPUs in ascending order, as an array.</summary>
    public int[] ToArray() => [.. Cpus];

    /// <summary>CPUs in either set.</summary>
    public CpuSet Union(CpuSet other) => Combine(other, static (a, b) => a | b, Math.Max(_words.Length, other._words.Length));

    /// <summary>CPUs in both sets.</summary>
    public CpuSet Intersect(CpuSet other) => Combine(other, static (a, b) => a & b, Math.Min(_words.Length, other._words.Length));

    /// <summary>CPUs in this set and not in <paramref name="other"/>.</summary>
    public CpuSet Except(CpuSet other) => Combine(other, static (a, b) => a & ~b, _words.Length);

    /// <summary>True when the sets share a CPU.</summary>
    public bool Overlaps(CpuSet other) => !Intersect(other).IsEmpty;

    /// <summary>True when every CPU of this set is in <paramref name="other"/>.</summary>
    public bool IsSubsetOf(CpuSet other) => Except(other).IsEmpty;

    private CpuSet Combine(CpuSet other, Func<ulong, ulong, ulong> op, int length)
    {
        var words = new ulong[length];
        for (var i = 0; i < length; i++)
        {
            var a = i < _words.Length ? _words[i] : 0;
            var b = i < other._words.Length ? other._words[i] : 0;
            words[i] = op(a, b);
        }
        return new CpuSet(words);
    }

    /// <summary>
    /// Parses a cpulist such as <c>0-3,8,10-11</c> (also <c>0-15:2</c> strides, as the kernel accepts).
    /// An empty or blank string is the empty set.
    /// </summary>
    /// <exception cref="FormatException">The text is not a cpulist; the message names the position.</exception>
    public static CpuSet Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var trimmed = text.Trim();
        if (trimmed.Length == 0)
        {
            return Empty;
        }
        var words = new ulong[1];
        var position = 0;
        while (true)
        {
            var first = ReadNumber(trimmed, ref position, text);
            var last = first;
            var stride = 1;
            if (position < trimmed.Length && trimmed[position] == '-')
            {
                position++;
                last = ReadNumber(trimmed, ref position, text);
                if (last < first)
                {
                    throw new FormatException($"invalid CPU list '{text}': range {first}-{last} is backwards (position {position})");
                }
                if (position < trimmed.Length && trimmed[position] == ':')
                {
                    position++;
                    stride = ReadNumber(trimmed, ref position, text);
                    if (stride == 0)
                    {
                        throw new FormatException($"invalid CPU list '{text}': stride 0 at position {position}");
                    }
                }
            }
            if ((last >> 6) >= words.Length)
            {
                Array.Resize(ref words, (last >> 6) + 1);
            }
            for (var cpu = first; cpu <= last; cpu += stride)
            {
                words[cpu >> 6] |= 1UL << (cpu & 63);
            }
            if (position == trimmed.Length)
            {
                break;
            }
            if (trimmed[position] != ',')
            {
                throw new FormatException($"invalid CPU list '{text}': unexpected '{trimmed[position]}' at position {position}");
            }
            position++;
        }
        return new CpuSet(words);
    }

    /// <summary>Parses a cpulist, returning false instead of throwing.</summary>
    public static bool TryParse(string? text, out CpuSet set)
    {
        set = Empty;
        if (text is null)
        {
            return false;
        }
        try
        {
            set = Parse(text);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    private static int ReadNumber(string text, ref int position, string original)
    {
        var start = position;
        long value = 0;
        while (position < text.Length && char.IsAsciiDigit(text[position]))
        {
            value = (value * 10) + (text[position] - '0');
            if (value > MaxCpu)
            {
                throw new FormatException($"invalid CPU list '{original}': CPU number at position {start} is above {MaxCpu}");
            }
            position++;
        }
        if (position == start)
        {
            var found = position < text.Length ? $"'{text[position]}'" : "the end";
            throw new FormatException($"invalid CPU list '{original}': expected a CPU number at position {position}, found {found}");
        }
        return (int)value;
    }

    /// <summary>
    /// Parses a hex mask as the kernel writes it: 32-bit words of hex digits separated by commas, most
    /// significant word first (<c>ff,ffffffff</c>). An optional <c>0x</c> prefix is accepted.
    /// </summary>
    /// <exception cref="FormatException">The text is not a hex mask; the message names the position.</exception>
    public static CpuSet ParseMask(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var trimmed = text.Trim();
        if (trimmed.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            trimmed = trimmed[2..];
        }
        if (trimmed.Length == 0)
        {
            throw new FormatException($"invalid CPU mask '{text}': no hex digits");
        }
        var groups = trimmed.Split(',');
        if (groups.Length > (MaxCpu + 1) / 32)
        {
            throw new FormatException($"invalid CPU mask '{text}': more than {MaxCpu + 1} CPUs");
        }
        var words = new ulong[((groups.Length * 32) + 63) / 64];
        var offset = 0;
        for (var g = 0; g < groups.Length; g++)
        {
            var group = groups[g];
            if (group.Length is 0 or > 8)
            {
                throw new FormatException($"invalid CPU mask '{text}': word {g + 1} at position {offset} must hold 1 to 8 hex digits");
            }
            for (var i = 0; i < group.Length; i++)
            {
                if (!char.IsAsciiHexDigit(group[i]))
                {
                    throw new FormatException($"invalid CPU mask '{text}': '{group[i]}' at position {offset + i} is not a hex digit");
                }
            }
            var value = uint.Parse(group, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
            var wordIndex = groups.Length - 1 - g;
            words[wordIndex >> 1] |= (ulong)value << ((wordIndex & 1) * 32);
            offset += group.Length + 1;
        }
        return new CpuSet(words);
    }

    /// <summary>The set as a cpulist (<c>0-3,8</c>); the empty set is the empty string.</summary>
    public override string ToString()
    {
        var builder = new StringBuilder();
        var start = -1;
        var previous = -2;
        foreach (var cpu in Cpus)
        {
            if (cpu != previous + 1)
            {
                Flush(builder, start, previous);
                start = cpu;
            }
            previous = cpu;
        }
        Flush(builder, start, previous);
        return builder.ToString();

        static void Flush(StringBuilder builder, int start, int end)
        {
            if (start < 0)
            {
                return;
            }
            if (builder.Length > 0)
            {
                builder.Append(',');
            }
            builder.Append(start);
            if (end > start)
            {
                builder.Append('-').Append(end);
            }
        }
    }

    /// <summary>
    /// The set as a kernel hex mask: 32-bit words, most significant first, separated by commas; the first
    /// word without leading zeros, the others eight digits (<c>1,00000001</c> is CPUs 0 and 32).
    /// </summary>
    public string ToMask()
    {
        var words32 = Math.Max(1, ((Max + 1) + 31) / 32);
        var builder = new StringBuilder();
        for (var w = words32 - 1; w >= 0; w--)
        {
            var value = (uint)((w >> 1) < _words.Length ? _words[w >> 1] >> ((w & 1) * 32) : 0);
            if (builder.Length > 0)
            {
                builder.Append(',').Append(value.ToString("x8", CultureInfo.InvariantCulture));
            }
            else
            {
                builder.Append(value.ToString("x", CultureInfo.InvariantCulture));
            }
        }
        return builder.ToString();
    }

    /// <inheritdoc />
    public bool Equals(CpuSet? other) => other is not null && _words.AsSpan().SequenceEqual(other._words);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as CpuSet);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var word in _words)
        {
            hash.Add(word);
        }
        return hash.ToHashCode();
    }

    private static void CheckCpu(int cpu)
    {
        if (cpu is < 0 or > MaxCpu)
        {
            throw new ArgumentOutOfRangeException(nameof(cpu), cpu, $"a CPU number is between 0 and {MaxCpu}");
        }
    }
}
