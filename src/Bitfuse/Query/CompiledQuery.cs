using System.Buffers;
using Bitfuse.Fields;
using Bitfuse.Query.Compilation;
using Bitfuse.Query.Execution;
using Bitfuse.Query.Optimization;
using Bitfuse.Query.Syntax;

namespace Bitfuse;

/// <summary>
/// A compiled query: its parsed and optimized trees, its canonical (positional) form, and the kernels
/// that evaluate it, generated on first use of each variant through the engine's <see cref="KernelCache"/>.
/// Immutable and thread-safe.
/// <para>
/// Dense mode (jitmap's own API, without its fixed size) evaluates the query over caller-owned bitsets of
/// any equal length: input <c>i</c> is the bitset of <see cref="Variables"/>[i].
/// </para>
/// </summary>
public sealed class CompiledQuery
{
    private readonly QueryEngine _engine;
    private readonly Kernel?[] _kernels = new Kernel?[4];
    private readonly int[] _kernelInputs;
    private readonly int[] _positionOfVariable;
    private readonly bool _identityInputs;
    private readonly DirectShape _direct;
    private readonly bool _countsDirectly;
    private KeyPlanner? _planner;
    private ResolvedInputs? _resolved;
    private LoweredQuery? _lowered;

    internal CompiledQuery(QueryEngine engine, string text, Expr parsed, Expr optimized, CanonicalForm form, IReadOnlyList<string> variables)
        : this(engine, text, parsed, optimized, form, variables, [])
    {
    }

    internal CompiledQuery(
        QueryEngine engine, string text, Expr parsed, Expr optimized, CanonicalForm form, IReadOnlyList<string> variables, IReadOnlyList<FieldReference> comparedFields)
    {
        _engine = engine;
        ComparedFields = comparedFields;
        Text = text;
        Parsed = parsed;
        Optimized = optimized;
        Form = form;
        Variables = variables;
        _kernelInputs = new int[form.Inputs.Count];
        for (var p = 0; p < _kernelInputs.Length; p++)
        {
            _kernelInputs[p] = IndexOf(variables, form.Inputs[p]);
        }
        _positionOfVariable = new int[variables.Count];
        Array.Fill(_positionOfVariable, -1);
        for (var p = 0; p < _kernelInputs.Length; p++)
        {
            _positionOfVariable[_kernelInputs[p]] = p;
        }
        _identityInputs = DenseExecution.IsIdentity(_kernelInputs, variables.Count);
        _direct = DirectShape.Of(form.Shape);
        _countsDirectly = comparedFields.Count == 0 && _direct.Kind != DirectShapeKind.General;
    }

    /// <summary>The query text.</summary>
    public string Text { get; }

    /// <summary>The tree as parsed.</summary>
    public Expr Parsed { get; }

    /// <summary>The tree after optimization.</summary>
    internal Expr Optimized { get; }

    /// <summary>The positional form: the kernel's shape and the name of each kernel input.</summary>
    internal CanonicalForm Form { get; }

    /// <summary>Every name in the text, in order of first appearance (including names the optimizer removed).</summary>
    public IReadOnlyList<string> Variables { get; }

    /// <summary>The engine that compiled this query.</summary>
    public QueryEngine Engine => _engine;

    /// <summary>
    /// The int fields the query compares (<c>age &gt;= 30</c>), in order of first mention. A query with comparisons
    /// runs over a <see cref="BitmapSet"/> only: each run reads the fields' schemas there and runs the query
    /// with every comparison turned into slice logic fused into its kernel (docs/design/fields.md).
    /// </summary>
    internal IReadOnlyList<FieldReference> ComparedFields { get; }

    /// <summary>The kernel for <paramref name="variant"/>, compiling it on first use.</summary>
    /// <exception cref="InvalidOperationException">The query compares int fields: its kernels depend on the fields' schemas.</exception>
    internal Kernel GetKernel(KernelVariant variant)
    {
        // A kernel is only ever cached for a query without compared fields, so a hit needs no other check.
        return Volatile.Read(ref _kernels[(int)variant]) ?? CompileKernel(variant);
    }

    private Kernel CompileKernel(KernelVariant variant)
    {
        if (ComparedFields.Count > 0)
        {
            throw new InvalidOperationException(
                $"'{Text}' compares int fields ({string.Join(", ", ComparedFields.Select(f => f.Name))}): it runs over a BitmapSet that holds them, not in dense mode");
        }
        var kernel = _engine.Kernels.Get(Form, variant);
        Volatile.Write(ref _kernels[(int)variant], kernel);
        return kernel;
    }

    /// <summary>Dense mode: writes the query's result over <paramref name="inputs"/> (one per variable, equal lengths) into <paramref name="output"/>.</summary>
    /// <exception cref="ArgumentException">Wrong number of inputs, or lengths that differ.</exception>
    public void EvaluateDense(ReadOnlySpan<ReadOnlyMemory<ulong>> inputs, Span<ulong> output) =>
        RunDense(inputs, output, KernelVariant.Write);

    /// <summary>Dense mode: writes the result into <paramref name="output"/> and returns its number of set bits.</summary>
    /// <exception cref="ArgumentException">Wrong number of inputs, or lengths that differ.</exception>
    public long EvaluateDenseCount(ReadOnlySpan<ReadOnlyMemory<ulong>> inputs, Span<ulong> output) =>
        RunDense(inputs, output, KernelVariant.WriteCount);

    /// <summary>Dense mode: the number of set bits of the result, stored nowhere.</summary>
    /// <exception cref="ArgumentException">Wrong number of inputs, or lengths that differ.</exception>
    public long CountDense(ReadOnlySpan<ReadOnlyMemory<ulong>> inputs) =>
        RunDense(inputs, Span<ulong>.Empty, KernelVariant.Count);

    /// <summary>Dense mode: whether the result has any set bit (stops at the first non-empty 64-byte block).</summary>
    /// <exception cref="ArgumentException">Wrong number of inputs, or lengths that differ.</exception>
    public bool AnyDense(ReadOnlySpan<ReadOnlyMemory<ulong>> inputs) =>
        RunDense(inputs, Span<ulong>.Empty, KernelVariant.Any) != 0;

    /// <summary>
    /// Dense mode over raw memory, the low-level entry point: <paramref name="inputs"/> holds one pointer per
    /// variable (in <see cref="Variables"/> order), each to <paramref name="words"/> readable words;
    /// <paramref name="output"/> must hold <paramref name="words"/> writable words for the write variants.
    /// Nothing is checked beyond the counts: the caller vouches for the memory.
    /// </summary>
    internal unsafe long RunDenseUnsafe(ReadOnlySpan<nint> inputs, ulong* output, nint words, KernelVariant variant)
    {
        if (inputs.Length != _positionOfVariable.Length)
        {
            ThrowInputCount(inputs.Length);
        }
        ArgumentOutOfRangeException.ThrowIfNegative(words);
        if (output == null && variant is KernelVariant.Write or KernelVariant.WriteCount && words > 0)
        {
            throw new ArgumentNullException(nameof(output));
        }
        return DenseExecution.Run(GetKernel(variant), _kernelInputs, _identityInputs, inputs, output, words);
    }

    private void ThrowInputCount(int inputs) =>
        throw new ArgumentException($"the query has {Variables.Count} inputs ({string.Join(", ", Variables)}), got {inputs}", nameof(inputs));

    [System.Runtime.CompilerServices.SkipLocalsInit]
    private unsafe long RunDense(ReadOnlySpan<ReadOnlyMemory<ulong>> inputs, Span<ulong> output, KernelVariant variant)
    {
        if (inputs.Length != _positionOfVariable.Length)
        {
            ThrowInputCount(inputs.Length);
        }
        var writes = variant is KernelVariant.Write or KernelVariant.WriteCount;
        var words = inputs.Length > 0 ? inputs[0].Length : output.Length;
        for (var i = 0; i < inputs.Length; i++)
        {
            if (inputs[i].Length != words)
            {
                throw new ArgumentException(
                    $"dense inputs must have equal lengths: '{Variables[0]}' has {words} words, '{Variables[i]}' has {inputs[i].Length}", nameof(inputs));
            }
        }
        if (writes && output.Length != words)
        {
            throw new ArgumentException($"the output has {output.Length} words, the inputs have {words}", nameof(output));
        }
        var kernel = GetKernel(variant);
        fixed (ulong* result = output)
        {
            if (inputs.Length <= DenseExecution.StackInputs)
            {
                // Each input pinned by a fixed statement of its own (a pinned local, free) one frame deeper, instead of
                // a pinning handle per input: on a small bitset the handles cost more than the pass itself.
                var pointers = stackalloc nint[DenseExecution.StackInputs];
                return RunPinned(kernel, inputs, pointers, 0, result, words);
            }
            return RunWithHandles(kernel, inputs, result, words);
        }
    }

    private unsafe long RunPinned(Kernel kernel, ReadOnlySpan<ReadOnlyMemory<ulong>> inputs, nint* pointers, int next, ulong* output, int words)
    {
        if (next == inputs.Length)
        {
            return DenseExecution.Run(kernel, _kernelInputs, _identityInputs, new ReadOnlySpan<nint>(pointers, inputs.Length), output, words);
        }
        fixed (ulong* input = inputs[next].Span)
        {
            pointers[next] = (nint)input;
            return RunPinned(kernel, inputs, pointers, next + 1, output, words);
        }
    }

    private unsafe long RunWithHandles(Kernel kernel, ReadOnlySpan<ReadOnlyMemory<ulong>> inputs, ulong* output, int words)
    {
        var handles = ArrayPool<MemoryHandle>.Shared.Rent(inputs.Length);
        var pointers = new nint[inputs.Length];
        try
        {
            for (var i = 0; i < inputs.Length; i++)
            {
                handles[i] = inputs[i].Pin();
                pointers[i] = (nint)handles[i].Pointer;
            }
            return DenseExecution.Run(kernel, _kernelInputs, _identityInputs, pointers, output, words);
        }
        finally
        {
            for (var i = 0; i < inputs.Length; i++)
            {
                handles[i].Dispose();
                handles[i] = default;
            }
            ArrayPool<MemoryHandle>.Shared.Return(handles);
        }
    }

    /// <summary>The number of values in the answer over <paramref name="inputs"/>; nothing is materialised.</summary>
    /// <exception cref="UnknownBitmapException">A name the set does not hold.</exception>
    public long Count(BitmapSet inputs, QueryRunOptions? options = null)
    {
        // The common call, at a few nanoseconds beyond the counting itself: default options, a direct form, the
        // names already resolved for this version of the set, and no name the optimizer removed (whose bitmaps
        // the full path still checks).
        ArgumentNullException.ThrowIfNull(inputs);
        if (_countsDirectly && (options is null || ReferenceEquals(options, QueryRunOptions.Default))
            && Kept(inputs) is { Unused.Length: 0 } cached)
        {
            return DirectExecution.Count(_direct, cached.Positional);
        }
        return ComparedFields.Count > 0 ? Lower(inputs).Count(inputs, options) : Run(inputs, options, ExecutionMode.Count, out _);
    }

    /// <summary>The answer over <paramref name="inputs"/> as a new bitmap (each container in its best kind). The caller disposes it.</summary>
    /// <exception cref="UnknownBitmapException">A name the set does not hold.</exception>
    public Bitmap Evaluate(BitmapSet inputs, QueryRunOptions? options = null)
    {
        if (ComparedFields.Count > 0)
        {
            return Lower(inputs).Evaluate(inputs, options);
        }
        Run(inputs, options, ExecutionMode.Evaluate, out var bitmap);
        return bitmap!;
    }

    /// <summary>Whether the answer over <paramref name="inputs"/> has any value; stops at the first.</summary>
    /// <exception cref="UnknownBitmapException">A name the set does not hold.</exception>
    public bool Any(BitmapSet inputs, QueryRunOptions? options = null) =>
        ComparedFields.Count > 0 ? Lower(inputs).Any(inputs, options) : Execute(inputs, options, ExecutionMode.Any, null).Count != 0;

    /// <summary>Calls <paramref name="action"/> with every value of the answer, ascending, holding at most one key's values at a time (always on the calling thread).</summary>
    /// <exception cref="UnknownBitmapException">A name the set does not hold.</exception>
    public void ForEach(BitmapSet inputs, Action<uint> action, QueryRunOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(action);
        if (ComparedFields.Count > 0)
        {
            Lower(inputs).ForEach(inputs, action, options);
            return;
        }
        Execute(inputs, options, ExecutionMode.ForEach, action);
    }

    /// <summary>Counts the answer and reports the trees, the kernel, the universe and what the run did.</summary>
    /// <exception cref="UnknownBitmapException">A name the set does not hold.</exception>
    public QueryExplanation Explain(BitmapSet inputs, QueryRunOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        if (ComparedFields.Count > 0)
        {
            return Lower(inputs).Explain(inputs, options);
        }
        options ??= QueryRunOptions.Default;
        Validate(options);
        var positional = Resolve(inputs, out var unusedEnd);
        // The path Count takes with these options, run once: a direct form is timed and keeps no key statistics;
        // the per-key planner reports its own.
        var kernels = _engine.Kernels;
        var universeEnd = options.UniverseEnd ?? LargestEnd(positional, unusedEnd);
        long count;
        string path;
        TimeSpan? pathElapsed = null;
        ExecutionStatistics? statistics = null;
        if (DirectExecution.Accepts(_direct, options, ExecutionMode.Count)
            && (options.UniverseEnd is not { } end || DirectExecution.UniverseHolds(positional, end)))
        {
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            count = DirectExecution.Count(_direct, positional);
            pathElapsed = System.Diagnostics.Stopwatch.GetElapsedTime(started);
            path = DirectExecution.Describe(_direct.Kind);
        }
        else
        {
            var result = Execute(positional, unusedEnd, options, ExecutionMode.Count, null);
            count = result.Count;
            universeEnd = result.UniverseEnd;
            statistics = result.Statistics;
            path = "per-key planner";
        }
        return new QueryExplanation(Text, Parsed.ToString(), Optimized.ToString(), Form.Key, Form.Inputs, kernels.Width,
            kernels.Width == KernelWidth.Vector512 && System.Runtime.Intrinsics.X86.Avx512F.IsSupported,
            universeEnd, options.UniverseEnd is not null, count, path, pathElapsed, statistics)
        {
            OptimizedTree = Optimized,
        };
    }

    /// <inheritdoc />
    public override string ToString() => Text;

    // Count and Evaluate: the direct forms when they apply (no per-key planner, nothing allocated per key),
    // else the planner. Any and ForEach always take the planner; Explain runs the path Count takes, once.
    private long Run(BitmapSet inputs, QueryRunOptions? options, ExecutionMode mode, out Bitmap? bitmap)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        options ??= QueryRunOptions.Default;
        Validate(options);
        var positional = Resolve(inputs, out var unusedEnd);
        if (DirectExecution.Accepts(_direct, options, mode)
            && (options.UniverseEnd is not { } end || DirectExecution.UniverseHolds(positional, end)))
        {
            if (mode == ExecutionMode.Count)
            {
                bitmap = null;
                return DirectExecution.Count(_direct, positional);
            }
            return DirectExecution.Run(_direct, positional, materialise: true, out bitmap);
        }
        var result = Execute(positional, unusedEnd, options, mode, null);
        bitmap = result.Bitmap;
        return result.Count;
    }

    private ExecutionResult Execute(BitmapSet inputs, QueryRunOptions? options, ExecutionMode mode, Action<uint>? action)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        options ??= QueryRunOptions.Default;
        Validate(options);
        var positional = Resolve(inputs, out var unusedEnd);
        return Execute(positional, unusedEnd, options, mode, action);
    }

    private static void Validate(QueryRunOptions options)
    {
        if (options.UniverseEnd is < 0 or > 1L << 32)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.UniverseEnd, "the universe end must be within [0, 2^32]");
        }
        ArgumentOutOfRangeException.ThrowIfLessThan(options.DegreeOfParallelism, 1, nameof(options));
    }

    // The bitmap of each positional input. Every variable is resolved, so an unknown name fails even when the
    // optimizer removed it; unusedEnd is one past the largest value of the removed ones (they still count
    // for the default universe). The arrays of the last set seen are kept under the set's version, which
    // changes on every add, replace or remove (and is unique across sets), so a hit never hands out a bitmap
    // the set no longer holds; names only a resolver knows are kept only when its answers are fixed for the set's
    // lifetime (a snapshot), whose disposal changes the version. The cache is one immutable object
    // swapped whole, so racing runs each see a consistent pair; the executors only read the arrays.
    private Bitmap[] Resolve(BitmapSet inputs, out long unusedEnd)
    {
        var cached = Kept(inputs);
        if (cached is null)
        {
            cached = ResolveNames(inputs, inputs.Version);
            if (cached.Cacheable)
            {
                Volatile.Write(ref _resolved, cached);
            }
        }
        unusedEnd = 0;
        foreach (var bitmap in cached.Unused)
        {
            if (!bitmap.IsEmpty)
            {
                unusedEnd = Math.Max(unusedEnd, bitmap.Max + 1L);
            }
        }
        return cached.Positional;
    }

    // The kept resolution when it holds for inputs: made for this very state of the set, or made over an earlier
    // version of the same versioned lineage (an older snapshot of the same database) — then it is kept again under
    // this set's version, with only the names whose stamps changed since looked up again in this version (a commit
    // usually changes one of a query's names, and the others stay bound as they were). A set with added bitmaps, a
    // lineage that differs, an older version than the kept one, or a changed name this version lacks: null,
    // resolve everything again.
    private ResolvedInputs? Kept(BitmapSet inputs)
    {
        var cached = Volatile.Read(ref _resolved);
        if (cached is null)
        {
            return null;
        }
        var version = inputs.Version;
        if (cached.Version == version)
        {
            return cached;
        }
        if (cached.Stamps is not { } stamps || inputs.Versioned is not { } versioned || inputs.Count != 0
            || !ReferenceEquals(versioned.Lineage, cached.Lineage))
        {
            return null;
        }
        var at = versioned.VersionNumber;
        if (at < cached.LineageVersion)
        {
            return null;
        }
        // The kept arrays may be read by racing runs: a changed name goes into copies.
        Bitmap[]? positional = null;
        Bitmap[]? unused = null;
        NameChangeStamp[]? renewed = null;
        var u = 0;
        for (var v = 0; v < stamps.Length; v++)
        {
            var p = _positionOfVariable[v];
            if (!stamps[v].UnchangedSince(cached.LineageVersion))
            {
                // Looked up in this version (at), so its new stamp holds from at on, like every carried one.
                if (versioned.Resolve(Variables[v], out var stamp) is not { } bitmap || stamp is null)
                {
                    return null;
                }
                positional ??= (Bitmap[])cached.Positional.Clone();
                unused ??= (Bitmap[])cached.Unused.Clone();
                renewed ??= (NameChangeStamp[])stamps.Clone();
                renewed[v] = stamp;
                if (p >= 0)
                {
                    positional[p] = bitmap;
                }
                else
                {
                    unused[u] = bitmap;
                }
            }
            u += p >= 0 ? 0 : 1;
        }
        var carried = renewed is null
            ? cached with { Version = version, LineageVersion = at }
            : cached with { Version = version, LineageVersion = at, Positional = positional!, Unused = unused!, Stamps = renewed };
        Volatile.Write(ref _resolved, carried);
        return carried;
    }

    private ResolvedInputs ResolveNames(BitmapSet inputs, long version)
    {
        var positional = new Bitmap[_kernelInputs.Length];
        var unused = _positionOfVariable.Length == _kernelInputs.Length ? [] : new Bitmap[_positionOfVariable.Length - _kernelInputs.Length];
        var u = 0;
        var cacheable = true;
        // The version number is read before any name: a stamp that holds since it covers every answer below.
        var versioned = inputs.Versioned;
        var lineageVersion = versioned?.VersionNumber ?? 0;
        var stamps = versioned is null ? null : new NameChangeStamp[_positionOfVariable.Length];
        for (var v = 0; v < _positionOfVariable.Length; v++)
        {
            if (!inputs.TryGetAdded(Variables[v], out var bitmap))
            {
                bitmap = inputs.ResolveStamped(Variables[v], out var stamp);
                cacheable &= inputs.ResolverAnswersFixed;
                if (stamps is not null && stamp is not null)
                {
                    stamps[v] = stamp;
                }
                else
                {
                    stamps = null;
                }
            }
            else
            {
                stamps = null;
            }
            var p = _positionOfVariable[v];
            if (p >= 0)
            {
                positional[p] = bitmap;
            }
            else
            {
                unused[u++] = bitmap;
            }
        }
        return new ResolvedInputs(version, positional, unused, cacheable, versioned?.Lineage, lineageVersion, stamps);
    }

    private ExecutionResult Execute(Bitmap[] positional, long unusedEnd, QueryRunOptions options, ExecutionMode mode, Action<uint>? action)
    {
        var planner = _planner ??= new KeyPlanner(Form);
        var universe = options.UniverseEnd ?? LargestEnd(positional, unusedEnd);
        return QueryExecution.Run(this, planner, positional, universe, options.UniverseEnd is not null, options, mode, action);
    }

    // The default universe end: one past the largest value of any input, used or removed by the optimizer.
    private static long LargestEnd(Bitmap[] positional, long unusedEnd)
    {
        var largest = unusedEnd;
        foreach (var input in positional)
        {
            if (!input.IsEmpty)
            {
                largest = Math.Max(largest, input.Max + 1L);
            }
        }
        return largest;
    }

    // The query with each comparison turned into slice logic for the schemas the set holds now. The last
    // lowering is kept with the schemas it was made for; a run that reads other schemas lowers again.
    private CompiledQuery Lower(BitmapSet inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        var schemas = new IntFieldSchema[ComparedFields.Count];
        for (var i = 0; i < schemas.Length; i++)
        {
            schemas[i] = SchemaOf(inputs, ComparedFields[i], Text);
        }
        var cached = Volatile.Read(ref _lowered);
        if (cached is not null && cached.Schemas.AsSpan().SequenceEqual(schemas))
        {
            return cached.Query;
        }
        var lowered = RangeLowering.Lower(Optimized, new ExprPool(), field =>
        {
            for (var i = 0; i < schemas.Length; i++)
            {
                if (string.Equals(ComparedFields[i].Name, field, StringComparison.Ordinal))
                {
                    return schemas[i];
                }
            }
            throw new InvalidOperationException($"'{field}' is compared but not among the compared fields");
        });
        var query = _engine.CompileLowered(Text, lowered, Variables);
        Volatile.Write(ref _lowered, new LoweredQuery(schemas, query));
        return query;
    }

    /// <summary>The schema of int field <paramref name="field"/> in <paramref name="inputs"/>, or an <see cref="UnknownFieldException"/> with a caret into <paramref name="text"/>.</summary>
    internal static IntFieldSchema SchemaOf(BitmapSet inputs, FieldReference field, string text)
    {
        if (inputs.TryGetValue(FieldNames.IntDescriptor(field.Name), out var descriptor))
        {
            return IntFieldSchema.FromBitmap(field.Name, descriptor);
        }
        var known = new List<string>();
        const string Suffix = "@int";
        foreach (var name in inputs.KnownNames)
        {
            if (name.EndsWith(Suffix, StringComparison.Ordinal))
            {
                known.Add(name[..^Suffix.Length]);
            }
        }
        throw new UnknownFieldException(field, "int field", text, UnknownBitmapException.Closest(field.Name, known));
    }

    private static int IndexOf(IReadOnlyList<string> names, string name)
    {
        for (var i = 0; i < names.Count; i++)
        {
            if (string.Equals(names[i], name, StringComparison.Ordinal))
            {
                return i;
            }
        }
        throw new InvalidOperationException($"kernel input '{name}' is not a variable of the query");
    }

    /// <summary>A comparison query lowered for one schema of each compared field.</summary>
    private sealed record LoweredQuery(IntFieldSchema[] Schemas, CompiledQuery Query);

    /// <summary>The bitmaps a set held for the query's names at one version of the set.</summary>
    // Stamps (one per variable) only when every name came from a versioned resolver: then Lineage and
    // LineageVersion say which version the bitmaps were resolved in.
    private sealed record ResolvedInputs(long Version, Bitmap[] Positional, Bitmap[] Unused, bool Cacheable,
        object? Lineage, long LineageVersion, NameChangeStamp[]? Stamps);
}
