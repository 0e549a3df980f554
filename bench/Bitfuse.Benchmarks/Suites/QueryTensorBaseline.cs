using System.Numerics.Tensors;
using Bitfuse.Query.Syntax;

namespace Bitfuse.Benchmarks.Suites;

/// <summary>
/// The <c>tensorprimitives</c> baseline: a query evaluated pairwise with <see cref="TensorPrimitives"/>, one
/// full pass per operator into a temporary of the inputs' size (allocated once, outside the timed calls),
/// then <see cref="TensorPrimitives.PopCount{T}(ReadOnlySpan{T})"/> for counts. No and-not exists there, so
/// <c>a &amp; !b</c> is a complement then an and.
/// </summary>
public sealed unsafe class QueryTensorBaseline : IDisposable
{
    private readonly List<(Op Op, int Left, int Right, int Destination)> _steps = [];
    private readonly List<NativeBuffer> _temporaries = [];
    private readonly ulong*[] _buffers;
    private readonly int _result;
    private readonly int _words;

    private enum Op
    {
        And,
        Or,
        Xor,
        Not,
    }

    /// <summary>Plans <paramref name="tree"/> over <paramref name="inputs"/> (variable <c>a&lt;i&gt;</c> is input i).</summary>
    public QueryTensorBaseline(Expr tree, IReadOnlyDictionary<string, nint> inputs, long bytes)
    {
        _words = checked((int)(bytes / 8));
        var buffers = new List<nint>();
        var ids = new Dictionary<string, int>();
        foreach (var (name, pointer) in inputs)
        {
            ids[name] = buffers.Count;
            buffers.Add(pointer);
        }
        var free = new Stack<int>();
        int Temporary()
        {
            if (free.Count > 0)
            {
                return free.Pop();
            }
            var buffer = new NativeBuffer(bytes, seed: 0);
            _temporaries.Add(buffer);
            buffers.Add((nint)buffer.Pointer);
            return buffers.Count - 1;
        }
        void Release(int id)
        {
            if (id >= inputs.Count)
            {
                free.Push(id);
            }
        }
        int Plan(Expr node)
        {
            switch (node.Kind)
            {
                case ExprKind.Variable:
                    return ids[node.Name!];
                case ExprKind.Not:
                    var inner = Plan(node.Operands[0]);
                    Release(inner);
                    var complement = Temporary();
                    _steps.Add((Op.Not, inner, -1, complement));
                    return complement;
                case ExprKind.And or ExprKind.Or or ExprKind.Xor:
                    var op = node.Kind switch { ExprKind.And => Op.And, ExprKind.Or => Op.Or, _ => Op.Xor };
                    var left = Plan(node.Operands[0]);
                    var right = Plan(node.Operands[1]);
                    Release(left);
                    Release(right);
                    var accumulator = Temporary();
                    _steps.Add((op, left, right, accumulator));
                    for (var i = 2; i < node.Operands.Count; i++)
                    {
                        var next = Plan(node.Operands[i]);
                        _steps.Add((op, accumulator, next, accumulator));
                        Release(next);
                    }
                    return accumulator;
                default:
                    throw new NotSupportedException($"the baseline does not evaluate constants ({node})");
            }
        }
        _result = Plan(tree);
        _buffers = new ulong*[buffers.Count];
        for (var i = 0; i < buffers.Count; i++)
        {
            _buffers[i] = (ulong*)buffers[i];
        }
    }

    /// <summary>Runs every step; returns the result's set-bit count when <paramref name="count"/>, else 0.</summary>
    public long Run(bool count)
    {
        foreach (var (op, left, right, destination) in _steps)
        {
            var x = new ReadOnlySpan<ulong>(_buffers[left], _words);
            var d = new Span<ulong>(_buffers[destination], _words);
            switch (op)
            {
                case Op.Not:
                    TensorPrimitives.OnesComplement(x, d);
                    break;
                case Op.And:
                    TensorPrimitives.BitwiseAnd(x, new ReadOnlySpan<ulong>(_buffers[right], _words), d);
                    break;
                case Op.Or:
                    TensorPrimitives.BitwiseOr(x, new ReadOnlySpan<ulong>(_buffers[right], _words), d);
                    break;
                default:
                    TensorPrimitives.Xor(x, new ReadOnlySpan<ulong>(_buffers[right], _words), d);
                    break;
            }
        }
        return count ? TensorPrimitives.PopCount<ulong>(new ReadOnlySpan<ulong>(_buffers[_result], _words)) : 0;
    }

    /// <summary>The result of the last <see cref="Run"/>.</summary>
    public ReadOnlySpan<ulong> Result => new(_buffers[_result], _words);

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var buffer in _temporaries)
        {
            buffer.Dispose();
        }
    }
}
