using Bitfuse.Query.Compilation;
using Bitfuse.Query.Optimization;
using Bitfuse.Query.Syntax;

namespace Bitfuse.Query.Execution;

/// <summary>
/// The plan for every key whose set of present inputs is the same: the re-simplified tree and how to run it.
/// Input indices are positions of the query's <see cref="CanonicalForm"/>.
/// </summary>
internal sealed class KeyPlan
{
    private readonly Kernel?[] _kernels = new Kernel?[4];

    public KeyPlan(KeyPlanKind kind, Expr tree, CanonicalForm? form, int[] kernelInputs, int copyInput, int[] positives, int[] negatives)
    {
        Kind = kind;
        Tree = tree;
        Form = form;
        KernelInputs = kernelInputs;
        CopyInput = copyInput;
        Positives = positives;
        Negatives = negatives;
        Sparse = kind == KeyPlanKind.Kernel ? SparseProgram.Of(tree) : null;
    }

    /// <summary>The container-merge program for small keys, when the tree allows one.</summary>
    public SparseProgram? Sparse { get; }

    public KeyPlanKind Kind { get; }

    /// <summary>The re-simplified tree over the query's positional inputs.</summary>
    public Expr Tree { get; }

    /// <summary>The kernel's positional form (Intersect and Kernel plans).</summary>
    public CanonicalForm? Form { get; }

    /// <summary>For kernel position p, the query input it reads.</summary>
    public int[] KernelInputs { get; }

    /// <summary>The input a Copy plan copies.</summary>
    public int CopyInput { get; }

    /// <summary>The inputs an Intersect plan ands.</summary>
    public int[] Positives { get; }

    /// <summary>The inputs an Intersect plan removes.</summary>
    public int[] Negatives { get; }

    public Kernel GetKernel(KernelCache cache, KernelVariant variant)
    {
        var kernel = Volatile.Read(ref _kernels[(int)variant]);
        if (kernel is null)
        {
            kernel = cache.Get(Form!, variant);
            Volatile.Write(ref _kernels[(int)variant], kernel);
        }
        return kernel;
    }
}
