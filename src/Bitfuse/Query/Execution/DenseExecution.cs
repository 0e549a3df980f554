using Bitfuse.Query.Compilation;

namespace Bitfuse.Query.Execution;

/// <summary>
/// Runs a kernel over caller-owned dense bitsets. The caller has checked that every input and the output
/// cover <c>words</c> words; this reorders the variable pointers into kernel positions and picks the
/// streaming twin of a write kernel for large outputs (<see cref="Kernel.For"/>).
/// </summary>
internal static unsafe class DenseExecution
{
    /// <summary>Runs <paramref name="kernel"/>; <paramref name="kernelInputs"/>[p] is the variable index of kernel input p.</summary>
    public static long Run(Kernel kernel, int[] kernelInputs, ReadOnlySpan<nint> variables, ulong* output, nint words)
    {
        var count = kernelInputs.Length;
        var pointers = count <= 128 ? stackalloc nint[count] : new nint[count];
        for (var p = 0; p < count; p++)
        {
            pointers[p] = variables[kernelInputs[p]];
        }
        fixed (nint* table = pointers)
        {
            return kernel.For(output, words).Function((ulong**)table, output, words);
        }
    }
}
