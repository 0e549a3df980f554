using System.Collections.Concurrent;
using Bitfuse.Query.Compilation;
using Bitfuse.Query.Optimization;
using Bitfuse.Query.Syntax;

namespace Bitfuse;

/// <summary>
/// Compiles query text into <see cref="CompiledQuery"/> objects and owns the caches behind them: compiled queries
/// by text, and kernels by canonical shape (so <c>x &amp; y</c> and <c>dog &amp; cat</c> share one kernel).
/// Thread-safe: any number of threads may compile and run queries at once.
/// </summary>
public sealed class QueryEngine
{
    private readonly ConcurrentDictionary<string, CompiledQuery> _queries = new(StringComparer.Ordinal);

    /// <summary>An engine with the default options.</summary>
    public QueryEngine()
        : this(new QueryOptions())
    {
    }

    /// <summary>An engine with <paramref name="options"/>.</summary>
    public QueryEngine(QueryOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = options;
        Kernels = new KernelCache(options.Width);
    }

    /// <summary>The settings.</summary>
    public QueryOptions Options { get; }

    /// <summary>The kernel cache, with its statistics.</summary>
    public KernelCache Kernels { get; }

    /// <summary>How many compiled queries are cached by text.</summary>
    public int CachedQueries => _queries.Count;

    /// <summary>
    /// Parses, optimizes and compiles <paramref name="text"/>, or returns the query compiled earlier from the
    /// same text. Kernels are generated on first use of each variant.
    /// </summary>
    /// <exception cref="QuerySyntaxException">The text does not parse or is over a limit.</exception>
    public CompiledQuery Compile(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (_queries.TryGetValue(text, out var cached))
        {
            return cached;
        }
        var pool = new ExprPool();
        var parsed = Parser.Parse(text, pool, Options.Limits, out var variables);
        var optimized = Optimizer.Optimize(parsed, pool);
        var form = CanonicalForm.Of(optimized, pool);
        var query = new CompiledQuery(this, text, parsed, optimized, form, variables);
        if (_queries.Count >= Options.MaxCachedQueries)
        {
            _queries.Clear();
        }
        return _queries.GetOrAdd(text, query);
    }
}
