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
        var parsed = Parser.Parse(text, pool, Options.Limits, out var variables, out var fields);
        return Cache(text, Build(text, parsed, pool, variables, fields));
    }

    /// <summary>
    /// Compiles a query built in code (<see cref="Q"/> and the operators of <see cref="Expr"/>) the way
    /// <see cref="Compile(string)"/> compiles text: the same optimizer, kernels and execution. It is cached by its
    /// text (<see cref="Expr.ToString"/>), which parses back to the same tree, so the text and the tree share one
    /// compiled query; a tree with comparisons of int fields (<see cref="Q.Int"/>) is compiled from that text.
    /// </summary>
    /// <exception cref="ArgumentException">The tree is deeper or names more bitmaps than <see cref="QueryOptions.Limits"/> allow.</exception>
    public CompiledQuery Compile(Expr expression)
    {
        ArgumentNullException.ThrowIfNull(expression);
        var limits = Options.Limits;
        if (expression.Depth > limits.MaxDepth)
        {
            throw new ArgumentException($"the expression is {expression.Depth} levels deep, over the limit of {limits.MaxDepth}", nameof(expression));
        }
        var text = expression.ToString();
        if (_queries.TryGetValue(text, out var cached))
        {
            return cached;
        }
        var pool = new ExprPool();
        var tree = pool.Adopt(expression);
        var names = new List<string>();
        Expr? comparison = null;
        CollectNames(tree, names, new HashSet<string>(StringComparer.Ordinal), ref comparison);
        if (names.Count > limits.MaxNames)
        {
            throw new ArgumentException($"the expression names {names.Count} bitmaps, over the limit of {limits.MaxNames}", nameof(expression));
        }
        if (comparison is not null)
        {
            // The text parses back to this tree and names each compared field at a column, which an unknown field's
            // error points at: a tree with comparisons is its text's query. The parser counts the fields among the
            // names; a tree over the limit with them is refused as any other tree over the limits.
            try
            {
                return Compile(text);
            }
            catch (QuerySyntaxException e)
            {
                throw new ArgumentException(e.Message, nameof(expression), e);
            }
        }
        return Cache(text, Build(text, tree, pool, names, []));
    }

    private CompiledQuery Cache(string text, CompiledQuery query)
    {
        if (_queries.Count >= Options.MaxCachedQueries)
        {
            _queries.Clear();
        }
        return _queries.GetOrAdd(text, query);
    }

    /// <summary>
    /// True when <paramref name="text"/> is an aggregate call (<c>count(</c>, <c>topn(</c>, ...) for
    /// <see cref="CompileAggregate"/> rather than a filter for <see cref="Compile(string)"/>.
    /// </summary>
    public static bool IsAggregate(string text) => Parser.IsAggregate(text);

    /// <summary>
    /// Parses and compiles an aggregate: <c>count(f)</c>, <c>sum(age, f)</c>, <c>min(age, f)</c>, <c>max(age, f)</c>,
    /// <c>topn(city, 10, f)</c>, <c>groupby(os, country, f)</c>. The filter compiles like any query.
    /// </summary>
    /// <exception cref="QuerySyntaxException">The text is not an aggregate call or does not parse.</exception>
    public AggregateQuery CompileAggregate(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var pool = new ExprPool();
        var call = Parser.ParseAggregate(text, pool, Options.Limits);
        var filter = call.Filter is null ? null : Build(text, call.Filter, pool, call.Names, call.Comparisons);
        return new AggregateQuery(text, call, filter);
    }

    /// <summary>A query over a parsed tree (the filter of an aggregate), not cached by text.</summary>
    internal CompiledQuery Build(string text, Expr parsed, ExprPool pool, IReadOnlyList<string> variables, IReadOnlyList<FieldReference> fields)
    {
        var optimized = Optimizer.Optimize(parsed, pool);
        var form = CanonicalForm.Of(optimized, pool);
        return new CompiledQuery(this, text, parsed, optimized, form, variables, fields);
    }

    /// <summary>
    /// The plain query a comparison query becomes for one set of field schemas: <paramref name="lowered"/> holds
    /// slice logic in place of comparisons. Its variables are the original query's names, then the slices.
    /// </summary>
    internal CompiledQuery CompileLowered(string text, Expr lowered, IReadOnlyList<string> names)
    {
        var variables = new List<string>(names);
        var seen = new HashSet<string>(names, StringComparer.Ordinal);
        Expr? comparison = null;
        CollectNames(lowered, variables, seen, ref comparison);
        var pool = new ExprPool();
        return Build(text, pool.Adopt(lowered), pool, variables, []);
    }

    // The distinct variable names in order of first appearance (the parser's order), and the first comparison.
    private static void CollectNames(Expr node, List<string> names, HashSet<string> seen, ref Expr? comparison)
    {
        if (node.Kind == ExprKind.Variable)
        {
            if (seen.Add(node.Name!))
            {
                names.Add(node.Name!);
            }
            return;
        }
        if (node.Kind == ExprKind.Compare)
        {
            comparison ??= node;
            return;
        }
        foreach (var operand in node.Operands)
        {
            CollectNames(operand, names, seen, ref comparison);
        }
    }
}
