using Bitfuse.Benchmarks.Compare;
using Bitfuse.Query.Syntax;

namespace Bitfuse.Benchmarks.Suites;

/// <summary>
/// The <c>croaring</c> query baseline: an expression evaluated with CRoaring's C API called directly
/// (<see cref="CRoaringDirect"/>), in one of the forms an expert would try, each kept as a separate
/// <see cref="Form"/> so the runner can keep the fastest:
/// <list type="bullet">
/// <item><c>chain</c>: the first operation of a chain makes a new bitmap, the rest work in place; an AND chain
/// stops as soon as its accumulator is empty; negated operands of an AND are and-nots after the positives.</item>
/// <item><c>lazy-or</c>: ORs of three or more inputs through <c>lazy_or</c> / <c>lazy_or_inplace</c> and one
/// <c>repair_after_lazy</c> (what <c>or_many</c> does inside).</item>
/// <item><c>or_many</c>, <c>or_many_heap</c>: ORs (and <c>xor_many</c> for XORs) of three or more inputs in one call.</item>
/// <item><c>smallest-first</c>: an AND chain over its inputs in ascending cardinality, stopping once empty.</item>
/// </list>
/// When counting, the root's last operation is a <c>*_cardinality</c> call, so the result is never built.
/// <c>!x</c> alone is <c>roaring_bitmap_flip</c> over the universe.
/// </summary>
public sealed unsafe class CRoaringQuery
{
    private readonly Expr _tree;
    private readonly IReadOnlyDictionary<string, nint> _inputs;
    private readonly ulong _universe;
    private readonly Form _form;

    /// <summary>How n-ary ANDs and ORs are evaluated.</summary>
    public enum Form
    {
        /// <summary>New bitmap for the first operation, in place for the rest; AND chains stop once empty.</summary>
        Chain,

        /// <summary>ORs of 3+ inputs with lazy unions and one repair.</summary>
        LazyOr,

        /// <summary>ORs of 3+ inputs with roaring_bitmap_or_many (XORs with xor_many).</summary>
        OrMany,

        /// <summary>ORs of 3+ inputs with roaring_bitmap_or_many_heap.</summary>
        OrManyHeap,

        /// <summary>AND chains of 3+ inputs smallest cardinality first, stopping once empty.</summary>
        SmallestFirst,
    }

    /// <summary>Evaluates <paramref name="tree"/> over <paramref name="inputs"/> (CRoaring bitmaps) within [0, <paramref name="universe"/>).</summary>
    public CRoaringQuery(Expr tree, IReadOnlyDictionary<string, nint> inputs, ulong universe, Form form)
    {
        _tree = tree;
        _inputs = inputs;
        _universe = universe;
        _form = form;
    }

    /// <summary>The forms that differ for <paramref name="tree"/>: always <c>chain</c>, the OR forms when an OR has 3+ operands, smallest-first when an AND has.</summary>
    public static IReadOnlyList<Form> FormsFor(Expr tree)
    {
        var forms = new List<Form> { Form.Chain };
        if (HasWide(tree, ExprKind.Or) || HasWide(tree, ExprKind.Xor))
        {
            forms.Add(Form.OrMany);
        }
        if (HasWide(tree, ExprKind.Or))
        {
            forms.Add(Form.LazyOr);
            forms.Add(Form.OrManyHeap);
        }
        if (HasWide(tree, ExprKind.And))
        {
            forms.Add(Form.SmallestFirst);
        }
        return forms;
    }

    /// <summary>The name of a form as rows print it.</summary>
    public static string FormName(Form form) => form switch
    {
        Form.Chain => "chain",
        Form.LazyOr => "lazy-or",
        Form.OrMany => "or_many",
        Form.OrManyHeap => "or_many_heap",
        _ => "smallest-first",
    };

    /// <summary>The result's cardinality: counted at the root when <paramref name="count"/>, else by building the result.</summary>
    public long Run(bool count)
    {
        if (count && _tree.IsNary)
        {
            return CountRoot(_tree);
        }
        var (bitmap, owned) = Evaluate(_tree);
        var cardinality = (long)CRoaringDirect.Cardinality(bitmap);
        Release(bitmap, owned);
        return cardinality;
    }

    /// <summary>The built result's answer (cardinality and value hash), for checking against the other sides.</summary>
    public Answer Result()
    {
        var (bitmap, owned) = Evaluate(_tree);
        var answer = CRoaringDirect.Answer(bitmap);
        Release(bitmap, owned);
        return answer;
    }

    private static bool HasWide(Expr node, ExprKind kind)
    {
        if (node.Kind == kind && node.Operands.Count >= 3)
        {
            return true;
        }
        foreach (var operand in node.Operands)
        {
            if (HasWide(operand, kind))
            {
                return true;
            }
        }
        return false;
    }

    private (nint Bitmap, bool Owned) Evaluate(Expr node)
    {
        switch (node.Kind)
        {
            case ExprKind.Variable:
                return (_inputs[node.Name!], false);
            case ExprKind.Not:
                var (inner, innerOwned) = Evaluate(node.Operands[0]);
                var complement = CRoaringDirect.Flip(inner, 0, _universe);
                Release(inner, innerOwned);
                return (complement, true);
            case ExprKind.And:
                return And(node.Operands, count: false, out _);
            case ExprKind.Or or ExprKind.Xor:
                return Union(node.Kind, node.Operands, node.Operands.Count);
            default:
                throw new NotSupportedException($"the baseline does not evaluate constants ({node})");
        }
    }

    private long CountRoot(Expr node)
    {
        var operands = node.Operands;
        if (node.Kind == ExprKind.And)
        {
            And(operands, count: true, out var cardinality);
            return cardinality;
        }
        if (node.Kind == ExprKind.Or && operands.Count >= 3 && _form is Form.OrMany or Form.OrManyHeap)
        {
            var (all, allOwned) = Union(node.Kind, operands, operands.Count);
            var n = (long)CRoaringDirect.Cardinality(all);
            Release(all, allOwned);
            return n;
        }
        var (left, leftOwned) = operands.Count == 2 ? Evaluate(operands[0]) : Union(node.Kind, operands, operands.Count - 1);
        var (right, rightOwned) = Evaluate(operands[^1]);
        var result = node.Kind == ExprKind.Or ? CRoaringDirect.OrCardinality(left, right) : CRoaringDirect.XorCardinality(left, right);
        Release(left, leftOwned);
        Release(right, rightOwned);
        return (long)result;
    }

    // An AND: the positive operands (smallest first in that form), then and-nots of the negated ones. The chain stops
    // once the accumulator is empty. When counting, the last operation is a *_cardinality call and nothing is returned.
    private (nint Bitmap, bool Owned) And(IReadOnlyList<Expr> operands, bool count, out long cardinality)
    {
        var positives = new List<(nint Bitmap, bool Owned)>(operands.Count);
        var negatives = new List<Expr>();
        foreach (var operand in operands)
        {
            if (operand.Kind == ExprKind.Not)
            {
                negatives.Add(operand.Operands[0]);
            }
            else
            {
                positives.Add(Evaluate(operand));
            }
        }
        if (positives.Count == 0)
        {
            throw new NotSupportedException("the baseline evaluates an AND with at least one positive operand");
        }
        if (_form == Form.SmallestFirst && operands.Count >= 3)
        {
            positives.Sort((a, b) => CRoaringDirect.Cardinality(a.Bitmap).CompareTo(CRoaringDirect.Cardinality(b.Bitmap)));
        }
        var steps = positives.Count - 1 + negatives.Count;
        cardinality = 0;
        if (steps == 0)
        {
            cardinality = (long)CRoaringDirect.Cardinality(positives[0].Bitmap);
            return positives[0];
        }
        nint accumulator = 0;
        var accumulatorOwned = false;
        var step = 0;
        var empty = false;
        var (first, firstOwned) = positives[0];
        for (var i = 1; i < positives.Count; i++, step++)
        {
            var (right, rightOwned) = positives[i];
            var left = step == 0 ? first : accumulator;
            if (empty)
            {
                Release(right, rightOwned);
                continue;
            }
            if (count && step == steps - 1)
            {
                cardinality = (long)CRoaringDirect.AndCardinality(left, right);
            }
            else if (step == 0)
            {
                accumulator = CRoaringDirect.And(first, right);
                accumulatorOwned = true;
            }
            else
            {
                CRoaringDirect.AndInPlace(accumulator, right);
            }
            Release(right, rightOwned);
            empty = accumulatorOwned && CRoaringDirect.IsEmpty(accumulator) != 0;
        }
        foreach (var negative in negatives)
        {
            if (empty)
            {
                break;
            }
            var (right, rightOwned) = Evaluate(negative);
            var left = step == 0 ? first : accumulator;
            if (count && step == steps - 1)
            {
                cardinality = (long)CRoaringDirect.AndNotCardinality(left, right);
            }
            else if (step == 0)
            {
                accumulator = CRoaringDirect.AndNot(first, right);
                accumulatorOwned = true;
            }
            else
            {
                CRoaringDirect.AndNotInPlace(accumulator, right);
            }
            Release(right, rightOwned);
            empty = accumulatorOwned && CRoaringDirect.IsEmpty(accumulator) != 0;
            step++;
        }
        Release(first, firstOwned);
        if (count)
        {
            Release(accumulator, accumulatorOwned);
            return (0, false);
        }
        cardinality = (long)CRoaringDirect.Cardinality(accumulator);
        return (accumulator, true);
    }

    // An OR or XOR of the first `take` operands, in this instance's form.
    private (nint Bitmap, bool Owned) Union(ExprKind kind, IReadOnlyList<Expr> operands, int take)
    {
        var parts = new (nint Bitmap, bool Owned)[take];
        for (var i = 0; i < take; i++)
        {
            parts[i] = Evaluate(operands[i]);
        }
        if (take == 1)
        {
            return parts[0];
        }
        nint result;
        if (take >= 3 && (_form is Form.OrMany || (_form is Form.OrManyHeap && kind == ExprKind.Or)))
        {
            var pointers = stackalloc nint[take];
            for (var i = 0; i < take; i++)
            {
                pointers[i] = parts[i].Bitmap;
            }
            result = kind == ExprKind.Xor ? CRoaringDirect.XorMany((nuint)take, pointers)
                : _form == Form.OrMany ? CRoaringDirect.OrMany((nuint)take, pointers)
                : CRoaringDirect.OrManyHeap((uint)take, pointers);
        }
        else if (take >= 3 && _form == Form.LazyOr && kind == ExprKind.Or)
        {
            result = CRoaringDirect.LazyOr(parts[0].Bitmap, parts[1].Bitmap, 1);
            for (var i = 2; i < take; i++)
            {
                CRoaringDirect.LazyOrInPlace(result, parts[i].Bitmap, 1);
            }
            CRoaringDirect.RepairAfterLazy(result);
        }
        else
        {
            result = kind == ExprKind.Or ? CRoaringDirect.Or(parts[0].Bitmap, parts[1].Bitmap) : CRoaringDirect.Xor(parts[0].Bitmap, parts[1].Bitmap);
            for (var i = 2; i < take; i++)
            {
                if (kind == ExprKind.Or)
                {
                    CRoaringDirect.OrInPlace(result, parts[i].Bitmap);
                }
                else
                {
                    CRoaringDirect.XorInPlace(result, parts[i].Bitmap);
                }
            }
        }
        foreach (var (bitmap, owned) in parts)
        {
            Release(bitmap, owned);
        }
        return (result, true);
    }

    private static void Release(nint bitmap, bool owned)
    {
        if (owned && bitmap != 0)
        {
            CRoaringDirect.Free(bitmap);
        }
    }
}
