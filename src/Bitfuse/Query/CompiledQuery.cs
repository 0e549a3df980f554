using System.Buffers;
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

    internal CompiledQuery(QueryEngine engine, string text, Expr parsed, Expr optimized, CanonicalForm form, IReadOnlyList<string> variables)
    {
        _engine = engine;
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
    }

    /// <summary>The query text.</summary>
    public string Text { get; }

    /// <summary>The tree as parsed.</summary>
    public Expr Parsed { get; }

    /// <summary>The tree after optimization.</summary>
    public Expr Optimized { get; }

    /// <summary>The positional form: the kernel's shape and the name of each kernel input.</summary>
    public CanonicalForm Form { get; }

    /// <summary>Every name in the text, in order of first appearance (including names the optimizer removed).</summary>
    public IReadOnlyList<string> Variables { get; }

    /// <summary>The engine that compiled this query.</summary>
    public QueryEngine Engine => _engine;

    /// <summary>The kernel for <paramref name="variant"/>, compiling it on first use.</summary>
    public Kernel GetKernel(KernelVariant variant)
    {
        var kernel = Volatile.Read(ref _kernels[(int)variant]);
        if (kernel is null)
        {
            kernel = _engine.Kernels.Get(Form, variant);
            Volatile.Write(ref _kernels[(int)variant], kernel);
        }
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
    public unsafe long RunDenseUnsafe(ReadOnlySpan<nint> inputs, ulong* output, nint words, KernelVariant variant)
    {
        if (inputs.Length != Variables.Count)
        {
            throw new ArgumentException($"the query has {Variables.Count} inputs ({string.Join(", ", Variables)}), got {inputs.Length}", nameof(inputs));
        }
        ArgumentOutOfRangeException.ThrowIfNegative(words);
        if (output == null && variant is KernelVariant.Write or KernelVariant.WriteCount && words > 0)
        {
            throw new ArgumentNullException(nameof(output));
        }
        return DenseExecution.Run(GetKernel(variant), _kernelInputs, inputs, output, words);
    }

    private unsafe long RunDense(ReadOnlySpan<ReadOnlyMemory<ulong>> inputs, Span<ulong> output, KernelVariant variant)
    {
        if (inputs.Length != Variables.Count)
        {
            throw new ArgumentException($"the query has {Variables.Count} inputs ({string.Join(", ", Variables)}), got {inputs.Length}", nameof(inputs));
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
        var handles = ArrayPool<MemoryHandle>.Shared.Rent(inputs.Length);
        Span<nint> pointers = inputs.Length <= 64 ? stackalloc nint[inputs.Length] : new nint[inputs.Length];
        try
        {
            for (var i = 0; i < inputs.Length; i++)
            {
                handles[i] = inputs[i].Pin();
                pointers[i] = (nint)handles[i].Pointer;
            }
            fixed (ulong* result = output)
            {
                return DenseExecution.Run(GetKernel(variant), _kernelInputs, pointers, result, words);
            }
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

    /// <inheritdoc />
    public override string ToString() => Text;

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
}
