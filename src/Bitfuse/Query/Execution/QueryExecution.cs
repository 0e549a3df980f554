using System.Diagnostics;
using System.Numerics;
using System.Runtime.CompilerServices;
using Bitfuse.Bitmaps;
using Bitfuse.Bitmaps.MultiWay;
using Bitfuse.Query.Compilation;

namespace Bitfuse.Query.Execution;

/// <summary>
/// Evaluates a compiled query over Roaring bitmaps, key by key (the high 16 bits of the values).
/// <list type="number">
/// <item>Keys come from a k-way merge of the inputs' sorted key arrays; when the query is non-empty with
/// every input absent (it holds a top-level <c>!</c> or <c>$1</c>), every key of the universe is visited.</item>
/// <item>Each key's presence pattern picks a <see cref="KeyPlan"/> (absent inputs are <c>$0</c>, re-simplified):
/// Skip reads nothing, Copy clones or counts one container, Intersect (when the smallest container is an array,
/// or runs meet no bitset, or a pair holds an array) and Union run the multi-way code's per-key combiners
/// (<see cref="IntersectExecution.Key"/>, <see cref="UnionExecution.Key"/>), small keys of other trees run their
/// <see cref="SparseProgram"/>, and everything else runs the fused kernel over the key's bitsets, expanding array
/// and run containers into the worker's scratch bitsets.</item>
/// <item>Results are containers in their best kind, a count, a flag, or values streamed in ascending order.</item>
/// </list>
/// Invariants: inputs are only read; values at or beyond the universe end are never produced (the last,
/// partial key is masked); parallel workers own disjoint key ranges and their results are joined in key
/// order, so the answer does not depend on the degree of parallelism; a cancelled run stops before its next key
/// and throws, so a partial answer is never returned.
/// </summary>
internal static unsafe class QueryExecution
{
    public static ExecutionResult Run(CompiledQuery query, KeyPlanner planner, Bitmap[] inputs, long universeEnd, bool universeGiven,
        QueryRunOptions options, ExecutionMode mode, Action<uint>? action)
    {
        var started = Stopwatch.GetTimestamp();
        if (universeEnd <= 0)
        {
            var none = new ExecutionStatistics(0, 0, 0, 0, 0, 0, 0, Stopwatch.GetElapsedTime(started));
            return new ExecutionResult(0, mode == ExecutionMode.Evaluate ? new Bitmap() : null, none, universeEnd, universeGiven);
        }
        var context = new Context(query, planner, inputs, universeEnd, universeGiven, mode, action, StopAt(options.TimeLimit), options.Cancellation);
        var firstKey = context.FirstKey();
        var lastKey = context.LastKey;
        var workers = mode == ExecutionMode.ForEach ? 1 : Math.Max(1, options.Workers?.Workers ?? options.DegreeOfParallelism);
        var span = lastKey - firstKey + 1;
        var chunks = firstKey > lastKey ? 0 : workers == 1 ? 1 : (int)Math.Min(span, workers * 4L);
        var partials = new Partial[Math.Max(chunks, 1)];
        Bitmap? result = mode == ExecutionMode.Evaluate ? new Bitmap() : null;
        try
        {
            if (chunks <= 1)
            {
                // One worker appends straight to the answer.
                partials[0] = chunks == 0 ? new Partial(inputs.Length) : context.Work(firstKey, lastKey, result);
            }
            else
            {
                void Chunk(int c)
                {
                    var lo = firstKey + (int)(span * c / chunks);
                    var hi = firstKey + (int)(span * (c + 1) / chunks) - 1;
                    partials[c] = context.Work(lo, hi, null);
                }
                if (options.Workers is { } pool)
                {
                    pool.For(chunks, Chunk);
                }
                else
                {
                    Parallel.For(0, chunks, new ParallelOptions { MaxDegreeOfParallelism = workers, CancellationToken = options.Cancellation }, Chunk);
                }
            }
        }
        catch (AggregateException e) when (e.InnerExceptions.Count > 0 && e.InnerExceptions.All(x => x is OperationCanceledException))
        {
            // A stop inside a worker (token or time limit) reaches the caller as itself, as on one thread.
            result?.Dispose();
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(e.InnerExceptions[0]);
            throw;
        }
        catch
        {
            result?.Dispose();
            throw;
        }

        long count = 0, visited = 0, skipped = 0, copied = 0, dense = 0, sparse = 0, expanded = 0, bytes = 0;
        foreach (var partial in partials)
        {
            count += partial.Count;
            visited += partial.Visited;
            skipped += partial.Skipped;
            copied += partial.Copied;
            dense += partial.Dense;
            sparse += partial.Sparse;
            expanded += partial.Expanded;
            bytes += partial.BytesRead;
            if (result is not null && partial.Containers is not null)
            {
                foreach (var (key, container) in partial.Containers)
                {
                    result.AppendContainer(key, container);
                }
            }
        }
        if (mode == ExecutionMode.Any)
        {
            count = context.Found ? 1 : 0;
        }
        var statistics = new ExecutionStatistics(visited, skipped, copied, dense, sparse, expanded, bytes, Stopwatch.GetElapsedTime(started));
        return new ExecutionResult(count, result, statistics, universeEnd, universeGiven);
    }

    // The Stopwatch timestamp past which a run stops; long.MaxValue for no limit.
    private static long StopAt(TimeSpan? limit) =>
        limit is not { } t ? long.MaxValue : Stopwatch.GetTimestamp() + (long)Math.Min(t.TotalSeconds * Stopwatch.Frequency, long.MaxValue / 2);

    private sealed class Partial(int inputs)
    {
        public int Inputs { get; } = inputs;

        public long Count, Visited, Skipped, Copied, Dense, Sparse, Expanded, BytesRead;

        public List<(ushort Key, Container Container)>? Containers;

        /// <summary>The answer itself when this is the only worker (containers are appended to it, not listed).</summary>
        public Bitmap? Target;
    }

    private sealed class Context
    {
        private readonly CompiledQuery _query;
        private readonly KeyPlanner _planner;
        private readonly Bitmap[] _inputs;
        private readonly ExecutionMode _mode;
        private readonly Action<uint>? _action;
        private readonly bool _walkAll;
        private readonly int _lastLimit;
        private readonly bool _maskLast;
        private readonly CancellationToken _cancellation;
        private readonly long _stopAt;
        private volatile bool _found;

        public Context(CompiledQuery query, KeyPlanner planner, Bitmap[] inputs, long universeEnd, bool universeGiven, ExecutionMode mode, Action<uint>? action,
            long stopAt, CancellationToken cancellation)
        {
            _cancellation = cancellation;
            _stopAt = stopAt;
            _query = query;
            _planner = planner;
            _inputs = inputs;
            _mode = mode;
            _action = action;
            _walkAll = planner.NothingPresent.Kind != KeyPlanKind.Skip;
            LastKey = (int)((universeEnd - 1) >> 16);
            _lastLimit = (int)(universeEnd - ((long)LastKey << 16));
            // Unless the universe is walked, an answer holds only values of its inputs (Skip when none is
            // present), so the last key needs masking only when some input reaches past the universe end,
            // which a universe taken from the inputs' largest value never lets happen.
            _maskLast = _lastLimit < 65536 && (_walkAll || universeGiven && Reaches(inputs, universeEnd));
        }

        private static bool Reaches(Bitmap[] inputs, long universeEnd)
        {
            foreach (var input in inputs)
            {
                if (!input.IsEmpty && input.Max >= universeEnd)
                {
                    return true;
                }
            }
            return false;
        }

        public int LastKey { get; }

        public bool Found => _found;

        public int FirstKey()
        {
            if (_walkAll)
            {
                return 0;
            }
            var first = int.MaxValue;
            foreach (var input in _inputs)
            {
                if (input.ContainerCount > 0)
                {
                    first = Math.Min(first, input.KeyAt(0));
                }
            }
            return first;
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public Partial Work(int keyLo, int keyHi, Bitmap? target)
        {
            var n = _inputs.Length;
            var partial = new Partial(n) { Target = target };
            if (_mode == ExecutionMode.Evaluate && target is null)
            {
                partial.Containers = [];
            }
            var workspace = Workspace.Rent(n);
            var cursors = workspace.Cursors(n);
            var present = workspace.Present(n);
            try
            {
                for (var i = 0; i < n; i++)
                {
                    var index = _inputs[i].IndexOfKey((ushort)keyLo);
                    cursors[i] = index >= 0 ? index : ~index;
                }
                if (!_walkAll && _planner.Required.Length == 0 && n <= 64)
                {
                    Merge(keyLo, keyHi, cursors, workspace.Heads(n), workspace, partial);
                }
                else
                {
                    Walk(keyLo, keyHi, cursors, present, workspace, partial);
                }
            }
            finally
            {
                partial.Visited = workspace.Visited;
                partial.Skipped = workspace.Skipped;
                partial.Copied = workspace.Copied;
                partial.Dense = workspace.Dense;
                partial.Sparse = workspace.Sparse;
                partial.Expanded = workspace.Expanded;
                partial.BytesRead = workspace.BytesRead;
                Workspace.Return(workspace);
            }
            return partial;
        }

        // The k-way merge of the inputs' keys through KeyHeads (no input required, at most 64 inputs): who
        // holds the next key is read from one int per input.
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void Merge(int keyLo, int keyHi, int[] cursors, int[] heads, Workspace workspace, Partial partial)
        {
            var n = _inputs.Length;
            var inputs = _inputs;
            for (var i = 0; i < n; i++)
            {
                heads[i] = KeyHeads.At(inputs[i], cursors[i]);
            }
            var end = Math.Min(keyHi, LastKey);
            var headSpan = heads.AsSpan(0, n);
            while (!(_mode == ExecutionMode.Any && _found))
            {
                var key = KeyHeads.Smallest(headSpan);
                if (key > end)
                {
                    break;
                }
                ulong mask = 0;
                for (var i = 0; i < headSpan.Length; i++)
                {
                    mask |= (headSpan[i] == key ? 1UL : 0) << i;
                }
                CheckStop();
                workspace.Visited++;
                RunKey(_planner.Get(mask), (ushort)key, cursors, workspace, partial);
                for (var rest = mask; rest != 0; rest &= rest - 1)
                {
                    var i = BitOperations.TrailingZeroCount(rest);
                    heads[i] = KeyHeads.At(inputs[i], ++cursors[i]);
                }
            }
        }

        // Between keys: the caller's token, then the time limit (read from the clock only when one is set).
        private void CheckStop()
        {
            _cancellation.ThrowIfCancellationRequested();
            if (_stopAt != long.MaxValue && Stopwatch.GetTimestamp() > _stopAt)
            {
                throw new OperationCanceledException("the query ran past its time limit");
            }
        }

        // The universe walk and the leapfrog over required inputs (and the merge of more than 64 inputs).
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void Walk(int keyLo, int keyHi, int[] cursors, bool[] present, Workspace workspace, Partial partial)
        {
            var n = _inputs.Length;
            var byMask = n <= 64;
            var required = _planner.Required;
            var merge = !_walkAll && required.Length == 0;
            var end = Math.Min(keyHi, LastKey);
            var key = keyLo - 1;
            while (!(_mode == ExecutionMode.Any && _found))
            {
                int next;
                if (_walkAll)
                {
                    next = key + 1;
                }
                else if (!merge)
                {
                    next = Leapfrog(key + 1, end, required, cursors);
                }
                else
                {
                    next = int.MaxValue;
                    for (var i = 0; i < n; i++)
                    {
                        var input = _inputs[i];
                        if (cursors[i] < input.ContainerCount)
                        {
                            next = Math.Min(next, input.KeyAt(cursors[i]));
                        }
                    }
                }
                if (next > end)
                {
                    break;
                }
                key = next;
                ulong mask = 0;
                for (var i = 0; i < n; i++)
                {
                    var input = _inputs[i];
                    if (!merge)
                    {
                        cursors[i] = Seek(input, cursors[i], key);
                    }
                    var here = cursors[i] < input.ContainerCount && input.KeyAt(cursors[i]) == key;
                    if (byMask)
                    {
                        mask |= (here ? 1UL : 0) << i;
                    }
                    else
                    {
                        present[i] = here;
                    }
                }
                var plan = byMask ? _planner.Get(mask) : _planner.Get(present.AsSpan(0, n));
                CheckStop();
                workspace.Visited++;
                RunKey(plan, (ushort)key, cursors, workspace, partial);
                for (var i = 0; i < n; i++)
                {
                    if (byMask ? (mask >> i & 1) != 0 : present[i])
                    {
                        cursors[i]++;
                    }
                }
            }
        }

        // The least key at or after from that every required input holds (past end when there is none):
        // each input gallops to the candidate and either agrees or raises it.
        private int Leapfrog(int from, int end, int[] required, int[] cursors)
        {
            var next = from;
            var agreed = 0;
            while (agreed < required.Length && next <= end)
            {
                agreed = 0;
                foreach (var r in required)
                {
                    var input = _inputs[r];
                    cursors[r] = Seek(input, cursors[r], next);
                    if (cursors[r] >= input.ContainerCount)
                    {
                        return int.MaxValue;
                    }
                    var k = input.KeyAt(cursors[r]);
                    if (k == next)
                    {
                        agreed++;
                    }
                    else
                    {
                        next = k;
                        break;
                    }
                }
            }
            return next;
        }

        // The first container index at or after from whose key is >= key (a key past 65535 is past every container).
        private static int Seek(Bitmap input, int from, int key) =>
            key > ushort.MaxValue ? input.ContainerCount : KeySearch.Advance(input.Keys, from, (ushort)key);

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void RunKey(KeyPlan plan, ushort key, int[] cursors, Workspace workspace, Partial partial)
        {
            if (plan.Kind == KeyPlanKind.Skip)
            {
                workspace.Skipped++;
                return;
            }
            var masked = _maskLast && key == LastKey;
            if (!masked && _mode is ExecutionMode.Count or ExecutionMode.Any)
            {
                var count = CountKey(plan, cursors, workspace);
                partial.Count += count;
                if (count > 0 && _mode == ExecutionMode.Any)
                {
                    _found = true;
                }
                return;
            }
            if (!masked && _mode == ExecutionMode.ForEach && plan.Kind is KeyPlanKind.Copy or KeyPlanKind.Kernel && !IsSmall(plan, cursors))
            {
                StreamKey(plan, key, cursors, workspace);
                return;
            }
            var container = Materialize(plan, cursors, workspace);
            if (masked)
            {
                Mask(ref container, workspace);
            }
            if (container.IsEmpty)
            {
                return;
            }
            partial.Count += container.Cardinality;
            switch (_mode)
            {
                case ExecutionMode.Evaluate:
                    if (partial.Target is not null)
                    {
                        partial.Target.AppendContainer(key, container);
                    }
                    else
                    {
                        partial.Containers!.Add((key, container));
                    }
                    return;
                case ExecutionMode.Any:
                    _found = true;
                    break;
                case ExecutionMode.ForEach:
                    var values = workspace.EnsureValues();
                    var n = container.CopyTo((uint)key << 16, values);
                    Emit(values, n);
                    break;
            }
            container.Free();
        }

        private ref readonly Container Input(int input, int[] cursors) => ref _inputs[input].ContainerAt(cursors[input]);

        private long CountKey(KeyPlan plan, int[] cursors, Workspace workspace)
        {
            switch (plan.Kind)
            {
                case KeyPlanKind.Full:
                    workspace.Copied++;
                    return 65536;
                case KeyPlanKind.Copy:
                    workspace.Copied++;
                    return Input(plan.CopyInput, cursors).Cardinality;
                case KeyPlanKind.Intersect when IsSparsePair(plan, cursors) || IsSparse(plan, cursors):
                    // A pair is counted by the pair algorithm (a & !b as |a| - |a & b|), more by merging: neither
                    // materialises nor expands.
                    return Combine(plan, cursors, workspace, materialise: false, out _);
                case KeyPlanKind.Kernel when IsSmall(plan, cursors):
                    return CountSparse(plan, cursors, workspace);
                case KeyPlanKind.Union:
                    if (_mode == ExecutionMode.Any)
                    {
                        workspace.Copied++;
                        return 1;
                    }
                    return Combine(plan, cursors, workspace, materialise: false, out _);
                default:
                    return RunKernel(plan, cursors, workspace, _mode == ExecutionMode.Any ? KernelVariant.Any : KernelVariant.Count);
            }
        }

        private void StreamKey(KeyPlan plan, ushort key, int[] cursors, Workspace workspace)
        {
            var values = workspace.EnsureValues();
            int n;
            if (plan.Kind == KeyPlanKind.Copy)
            {
                workspace.Copied++;
                ref readonly var container = ref Input(plan.CopyInput, cursors);
                workspace.BytesRead += container.SerializedBytes;
                n = container.CopyTo((uint)key << 16, values);
            }
            else
            {
                RunKernel(plan, cursors, workspace, KernelVariant.Write);
                n = BitsetContainer.Extract(workspace.Output, (uint)key << 16, values);
            }
            Emit(values, n);
        }

        private void Emit(uint* values, int n)
        {
            var action = _action!;
            for (var i = 0; i < n; i++)
            {
                action(values[i]);
            }
        }

        /// <summary>An owned container with the key's answer (empty descriptor when there is none).</summary>
        private Container Materialize(KeyPlan plan, int[] cursors, Workspace workspace)
        {
            switch (plan.Kind)
            {
                case KeyPlanKind.Full:
                    workspace.Copied++;
                    return ContainerAlgebra.NewRange(0, 65536);
                case KeyPlanKind.Copy:
                    workspace.Copied++;
                    ref readonly var source = ref Input(plan.CopyInput, cursors);
                    workspace.BytesRead += source.SerializedBytes;
                    return source.Clone();
                case KeyPlanKind.Intersect when IsSparse(plan, cursors):
                case KeyPlanKind.Union:
                    Combine(plan, cursors, workspace, materialise: true, out var combined);
                    return combined;
                case KeyPlanKind.Kernel when IsSmall(plan, cursors):
                    return RunSparse(plan, cursors, workspace);
                default:
                    // The kernel writes straight into the new container; small answers become arrays.
                    var result = Container.NewBitset(clear: false);
                    var output = workspace.Output;
                    try
                    {
                        workspace.Output = result.Words;
                        result.Cardinality = (int)RunKernel(plan, cursors, workspace, KernelVariant.WriteCount);
                    }
                    finally
                    {
                        workspace.Output = output;
                    }
                    ContainerAlgebra.Normalize(ref result, considerRuns: false);
                    return result;
            }
        }

        private void Mask(ref Container container, Workspace workspace)
        {
            if (container.IsEmpty || container.Max < _lastLimit)
            {
                return;
            }
            container.CopyToBitset(workspace.Output);
            container.Free();
            BitsetContainer.ClearRange(workspace.Output, _lastLimit, 65536);
            container = ContainerAlgebra.FromBitset(workspace.Output);
        }

        // Kernel plans run the sparse program when its estimated cost is below the kernel's (which expands every
        // array and run into a cleared scratch bitset first).
        private bool IsSmall(KeyPlan plan, int[] cursors) =>
            plan.Sparse is { } program && program.Cost(_inputs, cursors) < SparseProgram.KernelCost(_inputs, cursors, plan.KernelInputs, _mode != ExecutionMode.Count);

        private Container RunSparse(KeyPlan plan, int[] cursors, Workspace workspace)
        {
            workspace.Sparse++;
            foreach (var p in plan.KernelInputs)
            {
                workspace.BytesRead += Input(p, cursors).SerializedBytes;
            }
            var program = plan.Sparse!;
            var results = workspace.SparseResults(program.Steps);
            return program.Run(_inputs, cursors, results);
        }

        private long CountSparse(KeyPlan plan, int[] cursors, Workspace workspace)
        {
            workspace.Sparse++;
            foreach (var p in plan.KernelInputs)
            {
                workspace.BytesRead += Input(p, cursors).SerializedBytes;
            }
            var program = plan.Sparse!;
            return program.Count(_inputs, cursors, workspace.SparseResults(program.Steps));
        }

        // A pair (a & b or a & !b) with an array on either side, or of two run containers: counted by probing or
        // by an interval merge, without expanding anything.
        private bool IsSparsePair(KeyPlan plan, int[] cursors)
        {
            if (plan.Positives.Length == 0 || plan.Positives.Length + plan.Negatives.Length != 2)
            {
                return false;
            }
            var other = plan.Negatives.Length == 0 ? plan.Positives[1] : plan.Negatives[0];
            var a = Input(plan.Positives[0], cursors).Kind;
            var b = Input(other, cursors).Kind;
            return a == ContainerKind.Array || b == ContainerKind.Array || (a == ContainerKind.Run && b == ContainerKind.Run);
        }

        // Sparse when the smallest positive container is an array (merging it costs less than 8 KiB per input),
        // or runs and no input is a bitset (the run containers' interval merges keep runs as runs; a bitset input
        // is cheaper in the kernel).
        private bool IsSparse(KeyPlan plan, int[] cursors)
        {
            var smallest = int.MaxValue;
            var kind = ContainerKind.Bitset;
            var bitsets = false;
            foreach (var p in plan.Positives)
            {
                ref readonly var c = ref Input(p, cursors);
                bitsets |= c.Kind == ContainerKind.Bitset;
                if (c.Cardinality < smallest)
                {
                    smallest = c.Cardinality;
                    kind = c.Kind;
                }
            }
            if (kind != ContainerKind.Run)
            {
                return kind == ContainerKind.Array;
            }
            foreach (var q in plan.Negatives)
            {
                bitsets |= Input(q, cursors).Kind == ContainerKind.Bitset;
            }
            return !bitsets;
        }

        // Intersect and Union plans run the multi-way code's per-key combiners (the ones Bitmap.AndMany/OrMany and
        // the direct forms run) over the key's containers, gathered as one group: positives, then negatives. A key
        // combined in the scratch bitset counts as dense, one merged as values or runs as sparse.
        private int Combine(KeyPlan plan, int[] cursors, Workspace workspace, bool materialise, out Container container)
        {
            var scratch = workspace.Scratch;
            var positives = plan.Positives;
            var negatives = plan.Negatives;
            scratch.EnsureEntries(positives.Length + negatives.Length);
            var group = scratch.Entries;
            var n = 0;
            foreach (var p in positives)
            {
                group[n] = Input(p, cursors);
                workspace.BytesRead += group[n++].SerializedBytes;
            }
            foreach (var q in negatives)
            {
                group[n] = Input(q, cursors);
                workspace.BytesRead += group[n++].SerializedBytes;
            }
            var before = scratch.BitsetKeys;
            var answer = plan.Kind == KeyPlanKind.Union
                ? UnionExecution.Key(group.AsSpan(0, n), scratch, materialise, out container)
                : IntersectExecution.Key(group.AsSpan(0, n), positives.Length, scratch, materialise, out container);
            if (scratch.BitsetKeys != before)
            {
                workspace.Dense++;
            }
            else
            {
                workspace.Sparse++;
            }
            return answer;
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private long RunKernel(KeyPlan plan, int[] cursors, Workspace workspace, KernelVariant variant)
        {
            workspace.Dense++;
            var kernel = plan.GetKernel(_query.Engine.Kernels, variant);
            var pointers = workspace.Pointers;
            var inputs = plan.KernelInputs;
            for (var p = 0; p < inputs.Length; p++)
            {
                pointers[p] = workspace.AsBitset(Input(inputs[p], cursors), p);
            }
            return kernel.Function(pointers, workspace.Output, 1024);
        }
    }
}
