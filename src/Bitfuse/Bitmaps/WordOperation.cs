using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Bitfuse.Bitmaps;

/// <summary>
/// A word-wise operation on two bitsets. Kernels take it as a struct type argument
/// (<c>where TOp : struct, IWordOperation</c>), so the JIT compiles one loop per operation with the operation
/// inlined: one implementation of each bitset loop serves and, or, xor and and-not without a call in the loop.
/// </summary>
internal interface IWordOperation
{
    static abstract ulong Apply(ulong a, ulong b);

    static abstract Vector256<ulong> Apply(Vector256<ulong> a, Vector256<ulong> b);

    static abstract Vector512<ulong> Apply(Vector512<ulong> a, Vector512<ulong> b);
}

/// <summary>a &amp; b.</summary>
internal readonly struct AndWords : IWordOperation
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Apply(ulong a, ulong b) => a & b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<ulong> Apply(Vector256<ulong> a, Vector256<ulong> b) => a & b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<ulong> Apply(Vector512<ulong> a, Vector512<ulong> b) => a & b;
}

/// <summary>a | b.</summary>
internal readonly struct OrWords : IWordOperation
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Apply(ulong a, ulong b) => a | b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<ulong> Apply(Vector256<ulong> a, Vector256<ulong> b) => a | b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<ulong> Apply(Vector512<ulong> a, Vector512<ulong> b) => a | b;
}

/// <summary>a ^ b.</summary>
internal readonly struct XorWords : IWordOperation
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Apply(ulong a, ulong b) => a ^ b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<ulong> Apply(Vector256<ulong> a, Vector256<ulong> b) => a ^ b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<ulong> Apply(Vector512<ulong> a, Vector512<ulong> b) => a ^ b;
}

/// <summary>a &amp; ~b.</summary>
internal readonly struct AndNotWords : IWordOperation
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Apply(ulong a, ulong b) => a & ~b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<ulong> Apply(Vector256<ulong> a, Vector256<ulong> b) => Vector256.AndNot(a, b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<ulong> Apply(Vector512<ulong> a, Vector512<ulong> b) => Vector512.AndNot(a, b);
}

/// <summary>a (b is ignored): turns a combining kernel into a copy or a count of one bitset.</summary>
internal readonly struct FirstWords : IWordOperation
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Apply(ulong a, ulong b) => a;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<ulong> Apply(Vector256<ulong> a, Vector256<ulong> b) => a;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<ulong> Apply(Vector512<ulong> a, Vector512<ulong> b) => a;
}
