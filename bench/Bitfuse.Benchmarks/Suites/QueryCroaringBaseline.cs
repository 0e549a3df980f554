using System.Buffers.Binary;
using Bitfuse.Query.Syntax;
using Roaring.Net.CRoaring;

namespace Bitfuse.Benchmarks.Suites;

/// <summary>
/// The <c>croaring-net</c> baseline: a query evaluated pairwise with CRoaring through the Roaring.Net wrappers: the first
/// operation of a chain makes a new bitmap, the rest work in place (<c>IAnd</c>, <c>IAndNot</c>, <c>IOr</c>,
/// <c>IXor</c>); when the query counts, the root's last operation is <c>*Count</c>, so the result is never
/// built. <c>!x</c> alone is <c>NotRange</c> over the universe.
/// </summary>
public sealed class QueryCroaringBaseline
{
    private readonly Expr _tree;
    private readonly IReadOnlyDictionary<string, Roaring32Bitmap> _inputs;
    private readonly uint _universe;

    /// <summary>Evaluates <paramref name="tree"/> over <paramref name="inputs"/> within [0, <paramref name="universe"/>).</summary>
    public QueryCroaringBaseline(Expr tree, IReadOnlyDictionary<string, Roaring32Bitmap> inputs, uint universe)
    {
        _tree = tree;
        _inputs = inputs;
        _universe = universe;
    }

    /// <summary>The result's cardinality, computed with a final <c>*Count</c> when <paramref name="count"/>, else by materialising it.</summary>
    public long Run(bool count)
    {
        if (count && _tree.IsNary)
        {
            return CountChain(_tree);
        }
        var (bitmap, owned) = Evaluate(_tree);
        var cardinality = (long)bitmap.Count;
        if (owned)
        {
            bitmap.Dispose();
        }
        return cardinality;
    }

    /// <summary>The materialised result's answer (cardinality and value hash), for checking against the other sides.</summary>
    public Bitfuse.Benchmarks.Compare.Answer Result()
    {
        var (bitmap, owned) = Evaluate(_tree);
        var answer = Bitfuse.Benchmarks.Compare.Answer.Of(bitmap.ToArray());
        Release(bitmap, owned);
        return answer;
    }

    /// <summary>A CRoaring bitmap holding the set bits of <paramref name="words"/> (built from the portable format).</summary>
    public static Roaring32Bitmap FromWords(ReadOnlySpan<ulong> words)
    {
        const int ContainerWords = 1024;
        var containers = (words.Length + ContainerWords - 1) / ContainerWords;
        var keys = new List<(ushort Key, int Cardinality, int Start)>();
        for (var c = 0; c < containers; c++)
        {
            var slice = words.Slice(c * ContainerWords, Math.Min(ContainerWords, words.Length - c * ContainerWords));
            var cardinality = 0;
            foreach (var w in slice)
            {
                cardinality += (int)ulong.PopCount(w);
            }
            if (cardinality > 0)
            {
                keys.Add(((ushort)c, cardinality, c * ContainerWords));
            }
        }
        using var stream = new MemoryStream();
        var scratch = new byte[8];
        void U32(uint value)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(scratch, value);
            stream.Write(scratch, 0, 4);
        }
        void U16(ushort value)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(scratch, value);
            stream.Write(scratch, 0, 2);
        }
        U32(12346);
        U32((uint)keys.Count);
        foreach (var (key, cardinality, _) in keys)
        {
            U16(key);
            U16((ushort)(cardinality - 1));
        }
        var offset = 8 + (keys.Count * 8);
        foreach (var (_, cardinality, _) in keys)
        {
            U32((uint)offset);
            offset += cardinality > 4096 ? 8192 : cardinality * 2;
        }
        foreach (var (key, cardinality, start) in keys)
        {
            var slice = words.Slice(start, Math.Min(ContainerWords, words.Length - start));
            if (cardinality > 4096)
            {
                for (var i = 0; i < ContainerWords; i++)
                {
                    BinaryPrimitives.WriteUInt64LittleEndian(scratch, i < slice.Length ? slice[i] : 0);
                    stream.Write(scratch);
                }
                continue;
            }
            for (var i = 0; i < slice.Length; i++)
            {
                var w = slice[i];
                while (w != 0)
                {
                    U16((ushort)((i * 64) + System.Numerics.BitOperations.TrailingZeroCount(w)));
                    w &= w - 1;
                }
            }
        }
        return Roaring32Bitmap.Deserialize(stream.ToArray(), SerializationFormat.Portable);
    }

    private long CountChain(Expr node)
    {
        var operands = node.Operands;
        Roaring32Bitmap accumulator;
        bool owned;
        if (operands.Count == 2)
        {
            (accumulator, owned) = Evaluate(operands[0]);
        }
        else
        {
            (accumulator, owned) = Chain(node.Kind, operands, operands.Count - 1);
        }
        var last = operands[^1];
        long result;
        if (node.Kind == ExprKind.And && last.Kind == ExprKind.Not)
        {
            var (inner, innerOwned) = Evaluate(last.Operands[0]);
            result = (long)accumulator.AndNotCount(inner);
            Release(inner, innerOwned);
        }
        else
        {
            var (right, rightOwned) = Evaluate(last);
            result = node.Kind switch
            {
                ExprKind.And => (long)accumulator.AndCount(right),
                ExprKind.Or => (long)accumulator.OrCount(right),
                _ => (long)accumulator.XorCount(right),
            };
            Release(right, rightOwned);
        }
        Release(accumulator, owned);
        return result;
    }

    private (Roaring32Bitmap Bitmap, bool Owned) Evaluate(Expr node)
    {
        switch (node.Kind)
        {
            case ExprKind.Variable:
                return (_inputs[node.Name!], false);
            case ExprKind.Not:
                var (inner, innerOwned) = Evaluate(node.Operands[0]);
                var complement = inner.NotRange(0, _universe - 1);
                Release(inner, innerOwned);
                return (complement, true);
            case ExprKind.And or ExprKind.Or or ExprKind.Xor:
                return Chain(node.Kind, node.Operands, node.Operands.Count);
            default:
                throw new NotSupportedException($"the baseline does not evaluate constants ({node})");
        }
    }

    private (Roaring32Bitmap Bitmap, bool Owned) Chain(ExprKind kind, IReadOnlyList<Expr> operands, int take)
    {
        var (first, firstOwned) = Evaluate(operands[0]);
        Roaring32Bitmap accumulator;
        var second = operands[1];
        if (kind == ExprKind.And && second.Kind == ExprKind.Not)
        {
            var (inner, innerOwned) = Evaluate(second.Operands[0]);
            accumulator = first.AndNot(inner);
            Release(inner, innerOwned);
        }
        else
        {
            var (right, rightOwned) = Evaluate(second);
            accumulator = kind switch
            {
                ExprKind.And => first.And(right),
                ExprKind.Or => first.Or(right),
                _ => first.Xor(right),
            };
            Release(right, rightOwned);
        }
        Release(first, firstOwned);
        for (var i = 2; i < take; i++)
        {
            var operand = operands[i];
            if (kind == ExprKind.And && operand.Kind == ExprKind.Not)
            {
                var (inner, innerOwned) = Evaluate(operand.Operands[0]);
                accumulator.IAndNot(inner);
                Release(inner, innerOwned);
                continue;
            }
            var (right, rightOwned) = Evaluate(operand);
            switch (kind)
            {
                case ExprKind.And:
                    accumulator.IAnd(right);
                    break;
                case ExprKind.Or:
                    accumulator.IOr(right);
                    break;
                default:
                    accumulator.IXor(right);
                    break;
            }
            Release(right, rightOwned);
        }
        return (accumulator, true);
    }

    private static void Release(Roaring32Bitmap bitmap, bool owned)
    {
        if (owned)
        {
            bitmap.Dispose();
        }
    }
}
