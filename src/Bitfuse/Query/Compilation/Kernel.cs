using Bitfuse.Query.Syntax;

namespace Bitfuse.Query.Compilation;

/// <summary>A compiled kernel: the shape it computes, its variant and width, and the function itself.</summary>
public sealed class Kernel
{
    internal Kernel(Expr shape, int inputCount, KernelVariant variant, KernelWidth width, bool ternaryLogic, KernelFunction function, TimeSpan compileTime)
    {
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

    /// <summary>How long code generation took (IL emission and the delegate; the JIT runs on first call).</summary>
    public TimeSpan CompileTime { get; }

    /// <summary>The function: see <see cref="KernelFunction"/>.</summary>
    public KernelFunction Function { get; }

    /// <summary>Runs the kernel over raw memory. The caller guarantees every pointer covers <paramref name="words"/> words.</summary>
    public unsafe long Run(ulong** inputs, ulong* output, nint words) => Function(inputs, output, words);

    /// <inheritdoc />
    public override string ToString() =>
        $"{Variant} {Shape} ({InputCount} inputs, {(Width == KernelWidth.Scalar ? "scalar" : $"{(int)Width}-bit")}{(UsesTernaryLogic ? ", ternary logic" : "")})";
}
