using Bitfuse.Query.Syntax;

namespace Bitfuse.Query.Compilation;

/// <summary>A compiled kernel: the shape it computes, its variant and width, and the function itself.</summary>
internal sealed class Kernel
{
    /// <summary>
    /// Outputs of at least this many bytes are written by the streaming twin (non-temporal stores): above it
    /// the output is unlikely to be read back from the caches, and skipping the read for ownership and the
    /// eviction of the inputs saves memory traffic.
    /// </summary>
    public const long StreamingThresholdBytes = 1L << 20;

    private readonly Lazy<Kernel>? _streaming;

    internal Kernel(Expr shape, int inputCount, KernelVariant variant, KernelWidth width, bool ternaryLogic, bool nonTemporal,
        KernelFunction function, Lazy<Kernel>? streaming, TimeSpan compileTime)
    {
        NonTemporal = nonTemporal;
        _streaming = streaming;
        Shape = shape;
        InputCount = inputCount;
        Variant = variant;
        Width = width;
        UsesTernaryLogic = ternaryLogic;
        Function = function;
        CompileTime = compileTime;
    }

    /// <summary>The positional tree the kernel computes.</summary>
    public Expr Shape { get; }

    /// <summary>How many input pointers the kernel reads.</summary>
    public int InputCount { get; }

    /// <summary>What the kernel does with results.</summary>
    public KernelVariant Variant { get; }

    /// <summary>The width the kernel's main loop computes with (never <see cref="KernelWidth.Auto"/>).</summary>
    public KernelWidth Width { get; }

    /// <summary>True when 3-input subtrees were emitted as single <c>vpternlogq</c> instructions.</summary>
    public bool UsesTernaryLogic { get; }

    /// <summary>True when this kernel stores with non-temporal stores (the streaming twin of a write kernel).</summary>
    public bool NonTemporal { get; }

    /// <summary>
    /// The same kernel storing with non-temporal stores, compiled on first use; null for variants that store
    /// nothing, for scalar kernels, and for a streaming kernel itself. Any output length and any 8-byte-aligned
    /// output address is valid.
    /// </summary>
    public Kernel? Streaming => _streaming?.Value;

    /// <summary>How long code generation took (IL emission and the delegate; the JIT runs on first call).</summary>
    public TimeSpan CompileTime { get; }

    /// <summary>The function: see <see cref="KernelFunction"/>.</summary>
    public KernelFunction Function { get; }

    /// <summary>Runs the kernel over raw memory. The caller guarantees every pointer covers <paramref name="words"/> words.</summary>
    public unsafe long Run(ulong** inputs, ulong* output, nint words) => For(output, words).Function(inputs, output, words);

    /// <summary>
    /// The kernel to run for an output of <paramref name="words"/> words at <paramref name="output"/>: the streaming
    /// twin from <see cref="StreamingThresholdBytes"/> on (when the address is 8-byte aligned), else this one.
    /// </summary>
    public unsafe Kernel For(ulong* output, nint words) =>
        _streaming is not null && words >= StreamingThresholdBytes / sizeof(ulong) && ((nint)output & 7) == 0 ? _streaming.Value : this;

    /// <inheritdoc />
    public override string ToString() =>
        $"{Variant} {Shape} ({InputCount} inputs, {(Width == KernelWidth.Scalar ? "scalar" : $"{(int)Width}-bit")}{(UsesTernaryLogic ? ", ternary logic" : "")}{(NonTemporal ? ", non-temporal stores" : "")})";
}
