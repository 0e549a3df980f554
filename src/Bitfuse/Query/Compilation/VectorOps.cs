using System.Numerics;
using System.Reflection;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Bitfuse.Query.Compilation;

/// <summary>
/// The methods the emitter calls for one width: the bitwise operators of <c>Vector128/256/512&lt;ulong&gt;</c>
/// (null for scalar, which uses IL opcodes), lane extraction for counting, and the constants.
/// </summary>
internal sealed class VectorOps
{
    private VectorOps(KernelWidth width, Type type, Type? statics, Type? countWidth)
    {
        Width = width;
        Type = type;
        Bytes = width == KernelWidth.Scalar ? 8 : (int)width / 8;
        Lanes = Bytes / 8;
        CountSum = typeof(KernelCounting).GetMethod(nameof(KernelCounting.Sum), [type])!;
        if (statics is null || countWidth is null)
        {
            CountAdd = typeof(KernelCounting).GetMethod(nameof(KernelCounting.Add), [type, type])!;
            return;
        }
        // KernelCounting's generic methods at this width: <TWidth, TVector, TBytes>.
        Type[] counting = [countWidth, type, type.GetGenericTypeDefinition().MakeGenericType(typeof(byte))];
        CountAdd = Generic(typeof(KernelCounting), nameof(KernelCounting.Add), 2, counting);
        CountAddWith = Generic(typeof(KernelCounting), nameof(KernelCounting.Add), 4, counting);
        CountLookup = Generic(typeof(KernelCounting), nameof(KernelCounting.Lookup), 0, counting);
        CountMask = Generic(typeof(KernelCounting), nameof(KernelCounting.LowNibbles), 0, counting);
        Type[] two = [type, type];
        And = type.GetMethod("op_BitwiseAnd", two)!;
        Or = type.GetMethod("op_BitwiseOr", two)!;
        Xor = type.GetMethod("op_ExclusiveOr", two)!;
        Add = type.GetMethod("op_Addition", two)!;
        Not = type.GetMethod("op_OnesComplement", [type])!;
        NotEqual = type.GetMethod("op_Inequality", two)!;
        Zero = type.GetProperty("Zero")!.GetMethod!;
        AllBitsSet = type.GetProperty("AllBitsSet")!.GetMethod!;
        AndNot = Generic(statics, "AndNot", 2, [typeof(ulong)]);
        GetElement = Generic(statics, "GetElement", 2, [typeof(ulong)]);
        StoreNonTemporal = Generic(statics, "StoreAlignedNonTemporal", 2, [typeof(ulong)]);
    }

    public static readonly VectorOps Scalar = new(KernelWidth.Scalar, typeof(ulong), null, null);
    public static readonly VectorOps V128 = new(KernelWidth.Vector128, typeof(Vector128<ulong>), typeof(Vector128), typeof(CountWidth128));
    public static readonly VectorOps V256 = new(KernelWidth.Vector256, typeof(Vector256<ulong>), typeof(Vector256), typeof(CountWidth256));
    public static readonly VectorOps V512 = new(KernelWidth.Vector512, typeof(Vector512<ulong>), typeof(Vector512), typeof(CountWidth512));

    /// <summary><c>BitOperations.PopCount(ulong)</c>.</summary>
    public static readonly MethodInfo PopCount = typeof(BitOperations).GetMethod(nameof(BitOperations.PopCount), [typeof(ulong)])!;

    /// <summary><c>Avx512F.TernaryLogic(Vector512&lt;ulong&gt;, ..., byte)</c>.</summary>
    public static readonly MethodInfo TernaryLogic = typeof(Avx512F).GetMethod(nameof(Avx512F.TernaryLogic),
        [typeof(Vector512<ulong>), typeof(Vector512<ulong>), typeof(Vector512<ulong>), typeof(byte)])!;

    /// <summary><c>Sse.StoreFence()</c>: orders non-temporal stores before any later store or load.</summary>
    public static readonly MethodInfo StoreFence = typeof(Sse).GetMethod(nameof(Sse.StoreFence), Type.EmptyTypes)!;

    public KernelWidth Width { get; }

    public Type Type { get; }

    /// <summary>Bytes per vector.</summary>
    public int Bytes { get; }

    /// <summary>64-bit lanes per vector.</summary>
    public int Lanes { get; }

    public bool IsScalar => Width == KernelWidth.Scalar;

    public MethodInfo And { get; } = null!;

    public MethodInfo Or { get; } = null!;

    public MethodInfo Xor { get; } = null!;

    public MethodInfo Not { get; } = null!;

    /// <summary>Lane-wise 64-bit addition (count accumulators).</summary>
    public MethodInfo Add { get; } = null!;

    public MethodInfo AndNot { get; } = null!;

    public MethodInfo NotEqual { get; } = null!;

    public MethodInfo Zero { get; } = null!;

    public MethodInfo AllBitsSet { get; } = null!;

    public MethodInfo GetElement { get; } = null!;

    /// <summary><c>VectorN.StoreAlignedNonTemporal(value, address)</c>.</summary>
    public MethodInfo StoreNonTemporal { get; } = null!;

    /// <summary><c>KernelCounting.Add(counts, value)</c> for this width.</summary>
    public MethodInfo CountAdd { get; }

    /// <summary><c>KernelCounting.Add(counts, value, lookup, mask)</c> for this width (null for scalar).</summary>
    public MethodInfo? CountAddWith { get; }

    /// <summary><c>KernelCounting.Lookup()</c> at this width, the lookup argument of <see cref="CountAddWith"/> (null for scalar).</summary>
    public MethodInfo? CountLookup { get; }

    /// <summary><c>KernelCounting.LowNibbles()</c> at this width, the mask argument of <see cref="CountAddWith"/> (null for scalar).</summary>
    public MethodInfo? CountMask { get; }

    /// <summary><c>KernelCounting.Sum(counts)</c> for this width.</summary>
    public MethodInfo CountSum { get; }

    /// <summary>The operations for <paramref name="width"/>, resolving <see cref="KernelWidth.Auto"/> to the widest accelerated one.</summary>
    public static VectorOps For(KernelWidth width) => Resolve(width) switch
    {
        KernelWidth.Vector512 => V512,
        KernelWidth.Vector256 => V256,
        KernelWidth.Vector128 => V128,
        _ => Scalar,
    };

    /// <summary>The concrete width <paramref name="width"/> means on this machine.</summary>
    public static KernelWidth Resolve(KernelWidth width)
    {
        if (width != KernelWidth.Auto)
        {
            return width;
        }
        if (Vector512.IsHardwareAccelerated)
        {
            return KernelWidth.Vector512;
        }
        if (Vector256.IsHardwareAccelerated)
        {
            return KernelWidth.Vector256;
        }
        return Vector128.IsHardwareAccelerated ? KernelWidth.Vector128 : KernelWidth.Scalar;
    }

    /// <summary>The public static generic method <paramref name="name"/> of <paramref name="statics"/> with that many parameters and type arguments, made with them.</summary>
    private static MethodInfo Generic(Type statics, string name, int parameters, Type[] typeArguments)
    {
        foreach (var method in statics.GetMethods(BindingFlags.Public | BindingFlags.Static))
        {
            if (method.Name == name && method.IsGenericMethodDefinition && method.GetParameters().Length == parameters
                && method.GetGenericArguments().Length == typeArguments.Length)
            {
                return method.MakeGenericMethod(typeArguments);
            }
        }
        throw new MissingMethodException(statics.Name, name);
    }
}
