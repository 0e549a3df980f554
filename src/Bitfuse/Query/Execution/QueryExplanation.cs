using System.Globalization;
using System.Text;
using Bitfuse.Query.Compilation;

namespace Bitfuse.Query.Execution;

/// <summary>What a query is and what one run of it did: the trees, the kernel, the universe and the per-key statistics.</summary>
/// <param name="Text">The query text.</param>
/// <param name="Parsed">The tree as parsed, printed.</param>
/// <param name="Optimized">The optimized tree, printed.</param>
/// <param name="Shape">The kernel shape with positional inputs.</param>
/// <param name="KernelInputs">The bitmap read by each kernel input, by position.</param>
/// <param name="Width">The kernel's vector width.</param>
/// <param name="TernaryLogic">Whether kernels use <c>vpternlogq</c> cells.</param>
/// <param name="UniverseEnd">The universe is <c>[0, UniverseEnd)</c>.</param>
/// <param name="UniverseGiven">True when the caller gave the universe; false when it came from the inputs' largest value + 1.</param>
/// <param name="Count">The answer's cardinality.</param>
/// <param name="Path">What <c>Count</c> and <c>Evaluate</c> run with these options: a direct form, or the per-key planner.</param>
/// <param name="PathElapsed">Wall time of one count through a direct form; null when the path is the planner.</param>
/// <param name="Statistics">What the per-key planner did, key by key; null when the path was a direct form (it keeps no key statistics).</param>
public sealed record QueryExplanation(
    string Text,
    string Parsed,
    string Optimized,
    string Shape,
    IReadOnlyList<string> KernelInputs,
    KernelWidth Width,
    bool TernaryLogic,
    long UniverseEnd,
    bool UniverseGiven,
    long Count,
    string Path,
    TimeSpan? PathElapsed,
    ExecutionStatistics? Statistics)
{
    /// <summary>The optimized tree itself, for tools that draw it (<see cref="Optimized"/> is its text).</summary>
    public Bitfuse.Query.Syntax.Expr? OptimizedTree { get; init; }

    /// <summary>A readable multi-line report.</summary>
    public override string ToString()
    {
        var c = CultureInfo.InvariantCulture;
        var text = new StringBuilder();
        text.Append(c, $"query      {Text}\n");
        text.Append(c, $"parsed     {Parsed}\n");
        text.Append(c, $"optimized  {Optimized}\n");
        text.Append(c, $"kernel     {Shape}   inputs: {string.Join(", ", KernelInputs.Select((name, i) => $"v{i}={name}"))}\n");
        text.Append(c, $"width      {(Width == KernelWidth.Scalar ? "scalar 64-bit" : $"Vector{(int)Width}<ulong>")}{(TernaryLogic ? " with vpternlogq" : "")}\n");
        text.Append(c, $"universe   [0, {UniverseEnd}) {(UniverseGiven ? "(given)" : "(largest input value + 1)")}\n");
        if (Statistics is not { } s)
        {
            text.Append(c, $"path       {Path}\n");
            text.Append(c, $"answer     {Count} values in {PathElapsed.GetValueOrDefault().TotalMilliseconds:F3} ms");
            return text.ToString();
        }
        text.Append(c, $"path       {Path}\n");
        text.Append(c, $"keys       {s.KeysVisited} visited: {s.KeysSkipped} skipped, {s.KeysCopied} copied, {s.KeysDense} dense (kernel or bitset union), {s.KeysSparse} sparse; {s.ContainersExpanded} containers expanded\n");
        text.Append(c, $"read       {s.BytesRead} bytes\n");
        text.Append(c, $"answer     {Count} values in {s.Elapsed.TotalMilliseconds:F3} ms");
        return text.ToString();
    }
}
