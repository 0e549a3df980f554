using System.Runtime.CompilerServices;
using Bitfuse.Query.Compilation;

namespace Bitfuse.Query.Execution;

/// <summary>
/// Runs a kernel over caller-owned dense bitsets. The caller has checked that every input and the output
/// cover <c>words</c> words; this reorders the variable pointers into kernel positions and picks the
/// streaming twin of a write kernel for large outputs (<see cref="Kernel.For"/>).
/// On one 8 KiB container a pass takes ~100 ns, so the call itself must stay a few nanoseconds: when the
/// kernel reads the variables in their own order (every name used once, in order: <c>a0 &amp; a1 &amp; a2</c>)
/// the caller's pointers are the kernel's table as they are; otherwise they are copied into a fixed-size,
/// not zeroed, stack table (a heap array only beyond <see cref="StackInputs"/> inputs).
/// </summary>
internal static unsafe class DenseExecution
{
    /// <summary>Kernel inputs whose pointer table lives on the stack.</summary>
    public const int StackInputs = 32;

    /// <summary>True when kernel input p is variable p for every p: the variable pointers are the kernel's table unchanged.</summary>
    public static bool IsIdentity(int[] kernelInputs, int variableCount)
    {
        if (kernelInputs.Length != variableCount)
        {
            return false;
        }
        for (var p = 0; p < kernelInputs.Length; p++)
        {
            if (kernelInputs[p] != p)
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>
    /// Runs <paramref name="kernel"/>; <paramref name="kernelInputs"/>[p] is the variable index of kernel input p, and
    /// <paramref name="identity"/> says <see cref="IsIdentity"/> holds for it.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long Run(Kernel kernel, int[] kernelInputs, bool identity, ReadOnlySpan<nint> variables, ulong* output, nint words)
    {
        if (identity)
        {
            fixed (nint* table = variables)
            {
                return kernel.For(output, words).Function((ulong**)table, output, words);
            }
        }
        return RunReordered(kernel.For(output, words).Function, kernelInputs, variables, output, words);
    }

    [SkipLocalsInit]
    private static long RunReordered(KernelFunction function, int[] kernelInputs, ReadOnlySpan<nint> variables, ulong* output, nint words)
    {
        var count = kernelInputs.Length;
        if (count <= StackInputs)
        {
            var table = stackalloc nint[StackInputs];
            for (var p = 0; p < count; p++)
            {
                table[p] = variables[kernelInputs[p]];
            }
            return function((ulong**)table, output, words);
        }
        var pointers = new nint[count];
        for (var p = 0; p < count; p++)
        {
            pointers[p] = variables[kernelInputs[p]];
        }
        fixed (nint* table = pointers)
        {
            return function((ulong**)table, output, words);
        }
    }
}
