namespace Bitfuse.Isolation;

/// <summary>
/// The kernel's boot command line (<c>/proc/cmdline</c>) split into parameters, with the isolation
/// parameters decoded: <c>isolcpus=[flags,]list</c>, <c>nohz_full=</c>, <c>rcu_nocbs=</c>, <c>irqaffinity=</c>.
/// Everything after a lone <c>--</c> belongs to init and is ignored.
/// </summary>
public sealed class KernelCommandLine
{
    private readonly Dictionary<string, string?> _parameters = new(StringComparer.Ordinal);

    /// <summary>Parses a command line.</summary>
    public KernelCommandLine(string text)
    {
        Text = text.Trim();
        foreach (var token in Tokenize(Text))
        {
            if (token == "--")
            {
                break;
            }
            var equals = token.IndexOf('=', StringComparison.Ordinal);
            if (equals < 0)
            {
                _parameters[token] = null;
            }
            else
            {
                _parameters[token[..equals]] = token[(equals + 1)..].Trim('"');
            }
        }
    }

    /// <summary>The whole line.</summary>
    public string Text { get; }

    /// <summary>True when the parameter appears, with or without a value.</summary>
    public bool Has(string name) => _parameters.ContainsKey(name);

    /// <summary>The value of a parameter, or null when absent or given without a value.</summary>
    public string? Get(string name) => _parameters.GetValueOrDefault(name);

    /// <summary>The CPUs of <c>isolcpus=</c>, or null when absent or malformed.</summary>
    public CpuSet? IsolCpus => CpuListOf("isolcpus", out _);

    /// <summary>The flags of <c>isolcpus=</c> (<c>domain</c>, <c>nohz</c>, <c>managed_irq</c>); <c>domain</c> when none are given.</summary>
    public IReadOnlyList<string> IsolCpusFlags
    {
        get
        {
            CpuListOf("isolcpus", out var flags);
            return flags.Count == 0 && Has("isolcpus") ? ["domain"] : flags;
        }
    }

    /// <summary>The CPUs of <c>nohz_full=</c>, or null.</summary>
    public CpuSet? NohzFull => CpuListOf("nohz_full", out _);

    /// <summary>The CPUs of <c>rcu_nocbs=</c>, or null.</summary>
    public CpuSet? RcuNocbs => CpuListOf("rcu_nocbs", out _);

    /// <summary>The CPUs of <c>irqaffinity=</c>, or null.</summary>
    public CpuSet? IrqAffinity => CpuListOf("irqaffinity", out _);

    private CpuSet? CpuListOf(string name, out List<string> flags)
    {
        flags = [];
        var value = Get(name);
        if (value is null)
        {
            return null;
        }
        var list = new List<string>();
        foreach (var part in value.Split(','))
        {
            if (part.Length > 0 && char.IsAsciiLetter(part[0]))
            {
                flags.Add(part);
            }
            else
            {
                list.Add(part);
            }
        }
        return CpuSet.TryParse(string.Join(',', list), out var set) ? set : null;
    }

    private static IEnumerable<string> Tokenize(string text)
    {
        var start = -1;
        var quoted = false;
        for (var i = 0; i <= text.Length; i++)
        {
            var end = i == text.Length || (!quoted && char.IsWhiteSpace(text[i]));
            if (end)
            {
                if (start >= 0)
                {
                    yield return text[start..i];
                    start = -1;
                }
                continue;
            }
            if (text[i] == '"')
            {
                quoted = !quoted;
            }
            if (start < 0)
            {
                start = i;
            }
        }
    }
}
