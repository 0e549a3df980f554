using System.Collections.Concurrent;
using Bitfuse.Query.Optimization;
using Bitfuse.Query.Syntax;

namespace Bitfuse.Query.Execution;

/// <summary>
/// Makes and caches one <see cref="KeyPlan"/> per presence pattern (which of the query's inputs have a
/// container at a key). Absent inputs become <c>$0</c> and the optimizer runs again, so <c>a &amp; b</c> with
/// <c>b</c> absent is Skip and <c>a | b</c> with <c>b</c> absent is Copy — decided without touching memory.
/// Thread-safe; a pattern is planned at most a few times under a race and one plan wins.
/// </summary>
internal sealed class KeyPlanner
{
    private readonly Expr _shape;
    private readonly int _inputs;
    // Up to TableInputs inputs, a plan per mask in a flat table (one load per key); up to 64, a dictionary by mask.
    private const int TableInputs = 10;
    private readonly KeyPlan?[]? _table;
    private readonly ConcurrentDictionary<ulong, KeyPlan> _small = new();
    private readonly ConcurrentDictionary<string, KeyPlan> _large = new(StringComparer.Ordinal);

    public KeyPlanner(CanonicalForm form)
    {
        _shape = form.Shape;
        _inputs = form.Inputs.Count;
        _table = _inputs <= TableInputs ? new KeyPlan?[1 << _inputs] : null;
        var none = new bool[_inputs];
        NothingPresent = Plan(none);
        Required = FindRequired();
    }

    /// <summary>
    /// Inputs that must have a key for the answer to have anything there (the positive operands of an
    /// and-rooted query): keys are walked by intersecting these first. The variables under an and-root,
    /// plus, for up to 16 inputs, every input whose absence alone makes the plan Skip.
    /// </summary>
    public int[] Required { get; }

    /// <summary>The plan when no input has the key: anything but Skip means the query depends on the universe.</summary>
    public KeyPlan NothingPresent { get; }

    /// <summary>The plan when bit i of <paramref name="mask"/> says whether input i has the key (queries of at most 64 inputs).</summary>
    public KeyPlan Get(ulong mask)
    {
        if (_table is not null)
        {
            return _table[mask] ?? Fill(mask);
        }
        if (_small.TryGetValue(mask, out var plan))
        {
            return plan;
        }
        return _small.GetOrAdd(mask, Plan(Unpack(mask)));
    }

    /// <summary>The plan for the inputs marked in <paramref name="present"/>.</summary>
    public KeyPlan Get(ReadOnlySpan<bool> present)
    {
        if (_inputs <= 64)
        {
            ulong mask = 0;
            for (var i = 0; i < present.Length; i++)
            {
                if (present[i])
                {
                    mask |= 1UL << i;
                }
            }
            return Get(mask);
        }
        // The pattern as 16 bits per char, looked up by span: a string is made only for a new pattern.
        var length = (present.Length + 15) / 16;
        var chars = length <= 256 ? stackalloc char[256] : new char[length];
        chars = chars[..length];
        chars.Clear();
        for (var i = 0; i < present.Length; i++)
        {
            if (present[i])
            {
                chars[i >> 4] |= (char)(1 << (i & 15));
            }
        }
        if (_large.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(chars, out var large))
        {
            return large;
        }
        return _large.GetOrAdd(new string(chars), Plan(present));
    }

    // A racing thread may plan the same mask; the first plan stored wins, so every caller sees one plan.
    private KeyPlan Fill(ulong mask)
    {
        var plan = Plan(Unpack(mask));
        return Interlocked.CompareExchange(ref _table![mask], plan, null) ?? plan;
    }

    private bool[] Unpack(ulong mask)
    {
        var present = new bool[_inputs];
        for (var i = 0; i < _inputs; i++)
        {
            present[i] = (mask >> i & 1) != 0;
        }
        return present;
    }

    private int[] FindRequired()
    {
        if (NothingPresent.Kind != KeyPlanKind.Skip)
        {
            return [];
        }
        // The variables directly under an and-root are required whatever the number of inputs.
        var required = new SortedSet<int>();
        if (_shape.Kind == ExprKind.And)
        {
            foreach (var operand in _shape.Operands)
            {
                if (operand.Kind == ExprKind.Variable)
                {
                    required.Add(CanonicalForm.PositionOf(operand));
                }
            }
        }
        else if (_shape.Kind == ExprKind.Variable)
        {
            required.Add(CanonicalForm.PositionOf(_shape));
        }
        // For a few inputs, find the rest exactly: an input is required when the plan without it is Skip.
        if (_inputs <= 16)
        {
            var present = new bool[_inputs];
            for (var i = 0; i < _inputs; i++)
            {
                Array.Fill(present, true);
                present[i] = false;
                if (Get(present).Kind == KeyPlanKind.Skip)
                {
                    required.Add(i);
                }
            }
        }
        return [.. required];
    }

    private KeyPlan Plan(ReadOnlySpan<bool> present)
    {
        var pool = new ExprPool();
        var absentToEmpty = new AbsentToEmpty(present.ToArray(), pool);
        var substituted = ExprRewriter.Rewrite(pool.Adopt(_shape), ref absentToEmpty);
        var tree = Optimizer.Optimize(substituted, pool);
        switch (tree.Kind)
        {
            case ExprKind.Empty:
                return new KeyPlan(KeyPlanKind.Skip, tree, null, [], -1, [], []);
            case ExprKind.Universe:
                return new KeyPlan(KeyPlanKind.Full, tree, null, [], -1, [], []);
            case ExprKind.Variable:
                return new KeyPlan(KeyPlanKind.Copy, tree, null, [], CanonicalForm.PositionOf(tree), [], []);
        }
        var form = CanonicalForm.Of(tree, pool);
        var kernelInputs = new int[form.Inputs.Count];
        for (var p = 0; p < kernelInputs.Length; p++)
        {
            kernelInputs[p] = CanonicalForm.PositionOf(pool.Variable(form.Inputs[p]));
        }
        if (tree.Kind == ExprKind.Or && tree.Operands.Count > 2 && tree.Operands.All(o => o.Kind == ExprKind.Variable))
        {
            var members = tree.Operands.Select(CanonicalForm.PositionOf).ToArray();
            return new KeyPlan(KeyPlanKind.Union, tree, form, kernelInputs, -1, members, []);
        }
        if (tree.Kind == ExprKind.And)
        {
            var positives = new List<int>();
            var negatives = new List<int>();
            foreach (var operand in tree.Operands)
            {
                if (operand.Kind == ExprKind.Variable)
                {
                    positives.Add(CanonicalForm.PositionOf(operand));
                }
                else if (operand.Kind == ExprKind.Not && operand.Operands[0].Kind == ExprKind.Variable)
                {
                    negatives.Add(CanonicalForm.PositionOf(operand.Operands[0]));
                }
                else
                {
                    positives.Clear();
                    break;
                }
            }
            if (positives.Count > 0)
            {
                return new KeyPlan(KeyPlanKind.Intersect, tree, form, kernelInputs, -1, [.. positives], [.. negatives]);
            }
        }
        return new KeyPlan(KeyPlanKind.Kernel, tree, form, kernelInputs, -1, [], []);
    }

    /// <summary>Replaces each input absent from the key by the empty set.</summary>
    private readonly struct AbsentToEmpty(bool[] present, ExprPool pool) : IExprRewrite
    {
        public Expr Leaf(Expr node) =>
            node.Kind == ExprKind.Variable && !present[CanonicalForm.PositionOf(node)] ? pool.Empty : node;

        public Expr Rebuild(Expr node, Expr[] operands) => pool.Make(node.Kind, operands);
    }
}
