using System.Numerics.Tensors;
using Bitfuse.Query.Syntax;

namespace Bitfuse.Benchmarks.Suites;

/// <summary>
/// The <c>tensorprimitives</c> and <c>blocked-pairwise</c> baselines: a query evaluated pairwise with
/// <see cref="TensorPrimitives"/>, one pass per operator into a temporary (allocated once, outside the timed
/// calls), then <see cref="TensorPrimitives.PopCount{T}(ReadOnlySpan{T})"/> for counts. No and-not exists
/// there, so <c>a &amp; !b</c> is a complement then an and. Unblocked, each pass covers the whole inputs and the
/// temporaries are as large; blocked, every pass runs over one block (8 KiB) before the next block starts, so the
/// temporaries stay in L1 and the root's last pass writes straight into the output: the strongest unfused method.
/// </summary>
public sealed unsafe class QueryTensorBaseline : IDisposable
{
    private readonly List<(Op Op, int Left, int Right, int Destination)> _steps = [];
    private readonly List<NativeBuffer> _temporaries = [];
    private readonly ulong*[] _buffers;
    private readonly int _result;
    private readonly int _words;
    private readonly int _blockWords;
    private readonly ulong* _output;
    private readonly int _inputCount;

    private enum Op
    {
        And,
        Or,
        Xor,
        Not,
    }

    /// <summary>Plans <paramref name="tree"/> over <paramref name="inputs"/> (variable <c>a&lt;i&gt;</c> is input i).</summary>
    /// <param name="tree">The expression.</param>
    /// <param name="inputs">Each variable's words.</param>
    /// <param name="bytes">Bytes per input.</param>
    /// <param name="blockBytes">Bytes per block; 0 for one pass over everything.</param>
    /// <param name="output">Where the blocked form writes the result (null: into a block temporary, for counting only).</param>
    public QueryTensorBaseline(Expr tree, IReadOnlyDictionary<string, nint> inputs, long bytes, long blockBytes = 0, ulong* output = null)
    {
        _words = checked((int)(bytes / 8));
        _blockWords = blockBytes == 0 ? _words : checked((int)Math.Min(blockBytes / 8, _words));
        _output = output;
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
            var buffer = new NativeBuffer(_blockWords * 8L, seed: 0);
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
        _inputCount = inputs.Count;
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
        long total = 0;
        for (var start = 0; start < _words; start += _blockWords)
        {
            var length = Math.Min(_blockWords, _words - start);
            for (var s = 0; s < _steps.Count; s++)
            {
                var (op, left, right, destination) = _steps[s];
                var target = s == _steps.Count - 1 && _output != null ? _output + start : Block(destination, start);
                Step(op, new ReadOnlySpan<ulong>(Block(left, start), length), right < 0 ? default : new ReadOnlySpan<ulong>(Block(right, start), length),
                    new Span<ulong>(target, length));
            }
            if (count)
            {
                var result = _output != null ? _output + start : Block(_result, start);
                total += TensorPrimitives.PopCount<ulong>(new ReadOnlySpan<ulong>(result, length));
            }
        }
        return total;
    }

    /// <summary>The result of the last <see cref="Run"/> (unblocked form).</summary>
    public ReadOnlySpan<ulong> Result => new(_buffers[_result], _words);

    // Inputs are addressed at the block's offset; block temporaries are reused for every block.
    private ulong* Block(int buffer, int start) => _buffers[buffer] + (buffer < _inputCount ? start : start % _blockWords);

    private static void Step(Op op, ReadOnlySpan<ulong> x, ReadOnlySpan<ulong> y, Span<ulong> d)
    {
        switch (op)
        {
            case Op.Not:
                TensorPrimitives.OnesComplement(x, d);
                break;
            case Op.And:
                TensorPrimitives.BitwiseAnd(x, y, d);
                break;
            case Op.Or:
                TensorPrimitives.BitwiseOr(x, y, d);
                break;
            default:
                TensorPrimitives.Xor(x, y, d);
                break;
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var buffer in _temporaries)
        {
            buffer.Dispose();
        }
    }
}
