using System.Diagnostics;
using System.Numerics;
using System.Reflection.Emit;
using System.Runtime.Intrinsics.X86;
using Bitfuse.Query.Optimization;
using Bitfuse.Query.Syntax;

namespace Bitfuse.Query.Compilation;

/// <summary>
/// Generates a kernel for a positional tree as IL in a <see cref="DynamicMethod"/>. The generated code is
///
/// <code>
/// long Kernel(object unused, ulong** inputs, ulong* output, nint words)   // delegate closed over unused = null
///     p0..pn-1 = inputs[0..n-1]                       // each pointer read once
///     (count variants) for each group of 8 vectors    // Harley–Seal (16 vectors at 128 bits; not scalar)
///         r_c = tree(load(p_k + off + c))             // every input loaded once, tree in registers, in lockstep
///         (write + count) store r_c
///         carry-save add the r_c into ones, twos, fours, ...; count only the top carry
///     (write, any) for each group's worth of bytes    // the same lockstep step, then store r_c / any |= r_c
///     for each remaining 64-byte block                // 1 vector at 512 bits, 2 at 256, 4 at 128, 8 words scalar
///         r = tree(load(p_k + off + c)); store r / count r / any |= r
///         (any) if any != 0 return 1
///     the same, one scalar word at a time, for the last words % 8 words
/// </code>
///
/// Lockstep: the vectors of a step are computed together, a pass of lanes at a time. An n-ary operator takes its
/// first operand in every lane, then folds in each further operand lane by lane, so the loads of one input for the
/// whole pass are adjacent (one stream at a time, as a multi-accumulator read loop goes) and every lane is an
/// independent chain; an operator operand is computed the same way into locals one level down. Computing each
/// vector from all inputs in turn instead interleaves every stream 64 bytes at a time, which held and8 over 2 MiB
/// inputs (in L3) to about 0.8 of a plain read of the same bytes. A pass holds as many lanes as fit
/// <c>LockstepRegisters</c> vectors for the tree's nesting; trees above <c>LargeTree</c> nodes keep one vector per step.
///
/// A streaming kernel (the twin of a write kernel, for outputs larger than the caches) stores with
/// non-temporal stores, so the output does not evict the inputs and costs no read for ownership: it first
/// runs scalar words until the output is 64-byte aligned, then whole blocks with aligned non-temporal
/// stores, then the scalar tail, then a store fence so the results are visible to any later load.
///
/// Invariants: the generated code reads exactly <c>words</c> words from each input pointer and writes
/// exactly <c>words</c> words to the output (write variants) or none; it allocates nothing and calls only
/// intrinsics the JIT expands inline. A subtree used more than once (the pool shares it) is computed once
/// per vector into a local. <c>a &amp; !b</c> is emitted as and-not. With 512-bit vectors on hardware that has
/// AVX-512F, each subtree over at most three inputs becomes one <c>vpternlogq</c>, and so does each half of
/// a carry-save adder. A streaming kernel needs an 8-byte-aligned output (the caller checks it).
/// Counting: Harley–Seal carry-save adders (Muła, Kurz, Lemire) over the groups, so only one vector in 8
/// goes through the popcount; the popcount itself is Muła's nibble lookup kept in a vector
/// (<see cref="KernelCounting"/>). The group's levels are folded into one vector of lane counts by Horner's rule,
/// the block loop after it goes on from that vector, and the lanes are summed once for both loops. Carry-save over 8 vectors (what a 256-byte group holds
/// at 256 bits) was the fastest of per-lane popcnt, per-vector nibble lookup and carry-save over 4 or 8 vectors
/// (docs/design/query.md).
/// </summary>
internal static class KernelEmitter
{
    /// <summary>Bytes per carry-save group at up to 256 bits: 8 vectors of 256 bits, 16 of 128.</summary>
    public const int GroupBytes = 256;

    /// <summary>Vectors per carry-save group at least: a 512-bit group holds 8 vectors (512 bytes), not 4.</summary>
    public const int GroupVectors = 8;

    /// <summary>Bytes per carry-save group of <paramref name="ops"/>: <see cref="GroupBytes"/>, or <see cref="GroupVectors"/> vectors when wider.</summary>
    public static int GroupBytesOf(VectorOps ops) => Math.Max(GroupBytes, GroupVectors * ops.Bytes);

    /// <summary>The <c>vpternlogq</c> control byte of a carry-save adder's carry: the majority of three inputs.</summary>
    public const byte MajorityControl = 0xE8;

    /// <summary>The <c>vpternlogq</c> control byte of a carry-save adder's sum: the exclusive or of three inputs.</summary>
    public const byte SumControl = 0x96;

    /// <summary>Emits, and returns the delegate for, a kernel computing <paramref name="shape"/> over <paramref name="inputCount"/> inputs.</summary>
    public static Kernel Emit(Expr shape, int inputCount, KernelVariant variant, KernelWidth width, bool allowTernaryLogic = true, bool streaming = false)
    {
        var started = Stopwatch.GetTimestamp();
        var ops = VectorOps.For(width);
        var ternary = allowTernaryLogic && ops.Width == KernelWidth.Vector512 && Avx512F.IsSupported;
        streaming &= !ops.IsScalar && variant is KernelVariant.Write or KernelVariant.WriteCount;
        // A leading object parameter the delegate is closed over (null): invoking a delegate closed over its first
        // argument is a plain call, while one open over a static method goes through a shuffle thunk that moves every
        // argument down a register first.
        var method = new DynamicMethod($"kernel_{variant}{(streaming ? "_streaming" : "")}_{(int)ops.Width}", typeof(long),
            [typeof(object), typeof(ulong**), typeof(ulong*), typeof(nint)], typeof(KernelEmitter).Module, skipVisibility: true);
        var il = method.GetILGenerator();
        var emitter = new Body(il, shape, inputCount, variant, ternary);
        if (streaming)
        {
            emitter.EmitStreaming(ops);
        }
        else
        {
            emitter.EmitAll(ops);
        }
        var function = (KernelFunction)method.CreateDelegate(typeof(KernelFunction), target: null);
        var twin = !streaming && !ops.IsScalar && variant is KernelVariant.Write or KernelVariant.WriteCount
            ? new Lazy<Kernel>(() => Emit(shape, inputCount, variant, width, allowTernaryLogic, streaming: true), LazyThreadSafetyMode.ExecutionAndPublication)
            : null;
        return new Kernel(shape, inputCount, variant, ops.Width, ternary, streaming, function, twin, Stopwatch.GetElapsedTime(started));
    }

    private sealed class Body
    {
        // Trees with more distinct nodes than this compute one vector per loop step instead of a 64-byte block.
        private const int LargeTree = 24;

        // Vector registers the lanes of a lockstep pass may hold (16 ymm without AVX-512), beside the loop's own.
        private const int LockstepRegisters = 16;

        private readonly ILGenerator _il;
        private readonly Expr _shape;
        private readonly KernelVariant _variant;
        private readonly bool _ternary;
        private readonly LocalBuilder[] _pointers;
        private readonly LocalBuilder _offset;
        private readonly LocalBuilder _count;
        private readonly HashSet<Expr> _shared = new(ReferenceEqualityComparer.Instance);
        private readonly Dictionary<(Expr Node, Type Type, int Lane), LocalBuilder> _sharedLocals = [];
        private readonly HashSet<(Expr Node, int Lane)> _computed = [];
        private readonly Dictionary<Expr, LocalBuilder[]> _lockstepShared = [];
        private readonly HashSet<Expr> _lockstepComputed = [];
        private readonly List<LocalBuilder[]> _lockstepTemps = [];
        private int _lane;
        private int _passLanes = 1;
        private LocalBuilder[]? _passResults;
        private LocalBuilder? _groupCounts;
        private readonly Label _found;
        private LocalBuilder? _countLookup;
        private LocalBuilder? _countMask;

        public Body(ILGenerator il, Expr shape, int inputCount, KernelVariant variant, bool ternary)
        {
            _il = il;
            _shape = shape;
            _variant = variant;
            _ternary = ternary;
            _pointers = new LocalBuilder[inputCount];
            for (var k = 0; k < inputCount; k++)
            {
                _pointers[k] = il.DeclareLocal(typeof(ulong*));
            }
            _offset = il.DeclareLocal(typeof(nint));
            _count = il.DeclareLocal(typeof(long));
            _found = il.DefineLabel();
            FindShared(shape, new HashSet<Expr>(ReferenceEqualityComparer.Instance));
        }

        public void EmitAll(VectorOps ops)
        {
            EmitPrologue(ops);
            var totalBytes = EmitTotalBytes();
            if (_variant is KernelVariant.Count or KernelVariant.WriteCount && !ops.IsScalar)
            {
                EmitGroupLoop(ops, EmitEnd(totalBytes, GroupBytesOf(ops)));
            }
            // A large tree computes one vector per step and no lockstep group: the loop overhead is small beside
            // it, and the JIT, whose time grows with the copies of the tree, compiles a fraction as much
            // (compile-first). At 512 bits a 64-byte block is one vector, so the test is on the tree, not the step.
            var large = IsLarge();
            var step = ops.IsScalar || !large ? 64 : ops.Bytes;
            if (!large && !ops.IsScalar && _variant is KernelVariant.Write or KernelVariant.Any)
            {
                // A group's worth of vectors per step, computed in lockstep, before the 64-byte blocks.
                EmitLoop(ops, GroupBytesOf(ops), EmitEnd(totalBytes, GroupBytesOf(ops)), nonTemporal: false);
            }
            EmitLoop(ops, step, EmitEnd(totalBytes, step), nonTemporal: false);
            EmitLoop(VectorOps.Scalar, 8, totalBytes, nonTemporal: false);
            EmitEpilogue();
        }

        // totalBytes = words * 8, in a new local.
        private LocalBuilder EmitTotalBytes()
        {
            var il = _il;
            var totalBytes = il.DeclareLocal(typeof(nint));
            il.Emit(OpCodes.Ldarg_3);
            il.Emit(OpCodes.Ldc_I4_3);
            il.Emit(OpCodes.Shl);
            il.Emit(OpCodes.Stloc, totalBytes);
            return totalBytes;
        }

        private bool IsLarge() => Size(_shape, new HashSet<Expr>(ReferenceEqualityComparer.Instance)) > LargeTree;

        // Distinct nodes of the tree (a shared subtree counts once).
        private static int Size(Expr node, HashSet<Expr> seen)
        {
            if (!seen.Add(node))
            {
                return 0;
            }
            var size = 1;
            foreach (var operand in node.OperandArray)
            {
                size += Size(operand, seen);
            }
            return size;
        }

        // head (scalar words up to the first 64-byte boundary of the output), aligned blocks with
        // non-temporal stores, scalar tail, store fence.
        public void EmitStreaming(VectorOps ops)
        {
            var il = _il;
            EmitPrologue(ops);
            var totalBytes = EmitTotalBytes();
            // headBytes = min(totalBytes, (0 - output) & 63)
            var headBytes = il.DeclareLocal(typeof(nint));
            il.Emit(OpCodes.Ldc_I4_0);
            il.Emit(OpCodes.Conv_I);
            il.Emit(OpCodes.Ldarg_2);
            il.Emit(OpCodes.Conv_I);
            il.Emit(OpCodes.Sub);
            il.Emit(OpCodes.Ldc_I4_S, (sbyte)63);
            il.Emit(OpCodes.Conv_I);
            il.Emit(OpCodes.And);
            il.Emit(OpCodes.Stloc, headBytes);
            var headFits = il.DefineLabel();
            il.Emit(OpCodes.Ldloc, headBytes);
            il.Emit(OpCodes.Ldloc, totalBytes);
            il.Emit(OpCodes.Ble, headFits);
            il.Emit(OpCodes.Ldloc, totalBytes);
            il.Emit(OpCodes.Stloc, headBytes);
            il.MarkLabel(headFits);
            EmitLoop(VectorOps.Scalar, 8, headBytes, nonTemporal: false);
            if (!IsLarge())
            {
                EmitLoop(ops, GroupBytesOf(ops), EmitEndFromOffset(totalBytes, GroupBytesOf(ops)), nonTemporal: true);
            }
            EmitLoop(ops, 64, EmitEndFromOffset(totalBytes, 64), nonTemporal: true);
            EmitLoop(VectorOps.Scalar, 8, totalBytes, nonTemporal: false);
            if (Sse.IsSupported)
            {
                il.Emit(OpCodes.Call, VectorOps.StoreFence);
            }
            EmitEpilogue();
        }

        // The input pointers, offset and count; for a counting vector kernel also the popcount's constants, loaded
        // into locals once so the loops keep them in registers (the JIT does not hoist them out of a loop itself).
        private void EmitPrologue(VectorOps ops)
        {
            var il = _il;
            if (_variant is KernelVariant.Count or KernelVariant.WriteCount && ops.CountLookup is not null && ops.CountMask is not null)
            {
                _countLookup = il.DeclareLocal(ops.CountLookup.ReturnType);
                il.Emit(OpCodes.Call, ops.CountLookup);
                il.Emit(OpCodes.Stloc, _countLookup);
                _countMask = il.DeclareLocal(ops.CountMask.ReturnType);
                il.Emit(OpCodes.Call, ops.CountMask);
                il.Emit(OpCodes.Stloc, _countMask);
            }
            for (var k = 0; k < _pointers.Length; k++)
            {
                il.Emit(OpCodes.Ldarg_1);
                if (k > 0)
                {
                    il.Emit(OpCodes.Ldc_I4, k * IntPtr.Size);
                    il.Emit(OpCodes.Add);
                }
                il.Emit(OpCodes.Ldind_I);
                il.Emit(OpCodes.Stloc, _pointers[k]);
            }
            il.Emit(OpCodes.Ldc_I4_0);
            il.Emit(OpCodes.Conv_I);
            il.Emit(OpCodes.Stloc, _offset);
            il.Emit(OpCodes.Ldc_I4_0);
            il.Emit(OpCodes.Conv_I8);
            il.Emit(OpCodes.Stloc, _count);
        }

        private void EmitEpilogue()
        {
            var il = _il;
            il.Emit(OpCodes.Ldloc, _count);
            il.Emit(OpCodes.Ret);
            if (_variant == KernelVariant.Any)
            {
                il.MarkLabel(_found);
                il.Emit(OpCodes.Ldc_I4_1);
                il.Emit(OpCodes.Conv_I8);
                il.Emit(OpCodes.Ret);
            }
        }

        // A local holding offset + ((totalBytes - offset) & -step): the end of the whole steps from the current offset.
        private LocalBuilder EmitEndFromOffset(LocalBuilder totalBytes, int step)
        {
            var il = _il;
            var end = il.DeclareLocal(typeof(nint));
            il.Emit(OpCodes.Ldloc, _offset);
            il.Emit(OpCodes.Ldloc, totalBytes);
            il.Emit(OpCodes.Ldloc, _offset);
            il.Emit(OpCodes.Sub);
            il.Emit(OpCodes.Ldc_I4, -step);
            il.Emit(OpCodes.Conv_I);
            il.Emit(OpCodes.And);
            il.Emit(OpCodes.Add);
            il.Emit(OpCodes.Stloc, end);
            return end;
        }

        // A local holding totalBytes rounded down to a multiple of step (a power of two).
        private LocalBuilder EmitEnd(LocalBuilder totalBytes, int step)
        {
            var end = _il.DeclareLocal(typeof(nint));
            _il.Emit(OpCodes.Ldloc, totalBytes);
            _il.Emit(OpCodes.Ldc_I4, -step);
            _il.Emit(OpCodes.Conv_I);
            _il.Emit(OpCodes.And);
            _il.Emit(OpCodes.Stloc, end);
            return end;
        }

        // for (; offset < end; offset += 256): the group's results folded by carry-save adders into
        // levels[0] (ones), levels[1] (twos), ...; the top carry is counted once per group.
        private void EmitGroupLoop(VectorOps ops, LocalBuilder end)
        {
            var il = _il;
            var groupBytes = GroupBytesOf(ops);
            var vectors = groupBytes / ops.Bytes;
            var depth = BitOperations.Log2((uint)vectors);
            var levels = new LocalBuilder[depth];
            for (var j = 0; j < depth; j++)
            {
                levels[j] = il.DeclareLocal(ops.Type);
                EmitConstant(ops, ones: false);
                il.Emit(OpCodes.Stloc, levels[j]);
            }
            var total = il.DeclareLocal(ops.Type);
            EmitConstant(ops, ones: false);
            il.Emit(OpCodes.Stloc, total);
            var scratch = new Scratch(il, ops.Type, depth);
            var body = il.DefineLabel();
            var condition = il.DefineLabel();
            il.Emit(OpCodes.Br, condition);
            il.MarkLabel(body);
            var top = il.DeclareLocal(ops.Type);
            _passLanes = LockstepLanes(ops, vectors);
            EmitCarrySave(ops, levels, 0, vectors, top, scratch, 0);
            EmitCount(ops, top, total);
            EmitAdvance(groupBytes);
            il.MarkLabel(condition);
            il.Emit(OpCodes.Ldloc, _offset);
            il.Emit(OpCodes.Ldloc, end);
            il.Emit(OpCodes.Blt, body);
            // Lane counts (total << depth) + sum over j of (popcount(levels[j]) << j), by Horner's rule in the vector
            // registers: the block loop after this one goes on from them and sums the lanes once for both loops.
            il.Emit(OpCodes.Ldloc, total);
            for (var j = depth - 1; j >= 0; j--)
            {
                il.Emit(OpCodes.Dup);
                il.Emit(OpCodes.Call, ops.Add);
                il.Emit(OpCodes.Ldloc, levels[j]);
                EmitCountAdd(ops);
            }
            _groupCounts = il.DeclareLocal(ops.Type);
            il.Emit(OpCodes.Stloc, _groupCounts);
        }

        // Folds results first .. first + n - 1 (n a power of two) into levels[0 .. log2 n - 1], leaving their
        // carry, of weight n, in target: the two halves' carries (weight n / 2 each) meet in levels[log2 n - 1].
        private void EmitCarrySave(VectorOps ops, LocalBuilder[] levels, int first, int n, LocalBuilder target, Scratch scratch, int depth)
        {
            if (n == 2)
            {
                EmitResult(ops, first, scratch.Left[depth]);
                EmitResult(ops, first + 1, scratch.Right[depth]);
            }
            else
            {
                EmitCarrySave(ops, levels, first, n / 2, scratch.Left[depth], scratch, depth + 1);
                EmitCarrySave(ops, levels, first + (n / 2), n / 2, scratch.Right[depth], scratch, depth + 1);
            }
            EmitAdder(ops, levels[BitOperations.Log2((uint)n) - 1], scratch.Left[depth], scratch.Right[depth], target, scratch.Sum);
        }

        // The result vector c of the current group into local, stored to the output too for write + count. The
        // group's vectors are computed a pass of lanes at a time (the first vector of a pass computes the pass).
        private void EmitResult(VectorOps ops, int c, LocalBuilder local)
        {
            var byteOffset = c * ops.Bytes;
            if (_passLanes == 1)
            {
                _computed.Clear();
                EmitNode(_shape, ops, byteOffset);
            }
            else
            {
                if (c % _passLanes == 0)
                {
                    _passResults = EmitPass(ops, c, _passLanes);
                }
                _il.Emit(OpCodes.Ldloc, _passResults![c % _passLanes]);
            }
            _il.Emit(OpCodes.Stloc, local);
            if (_variant == KernelVariant.WriteCount)
            {
                EmitStore(ops, byteOffset, local, nonTemporal: false);
            }
        }

        // The tree for vectors firstLane .. firstLane + lanes - 1 of the step, in lockstep (see EmitLockstep).
        private LocalBuilder[] EmitPass(VectorOps ops, int firstLane, int lanes)
        {
            _computed.Clear();
            _lockstepComputed.Clear();
            return EmitLockstep(_shape, ops, firstLane, lanes, 0);
        }

        // How many vectors of a step are computed together: the most (a power of two, at most lanes) whose working set,
        // one vector per lane for each level of nested operators, stays within LockstepRegisters.
        private int LockstepLanes(VectorOps ops, int lanes)
        {
            var levels = Math.Max(1, Nesting(_shape, ops));
            var width = lanes;
            while (width > 1 && width * levels > LockstepRegisters)
            {
                width /= 2;
            }
            return width;
        }

        // Levels of lockstep temporaries node needs: 0 for a node computed lane by lane in one expression.
        private int Nesting(Expr node, VectorOps ops)
        {
            if (IsPerLane(node, ops))
            {
                return 0;
            }
            var deepest = 0;
            foreach (var operand in node.OperandArray)
            {
                deepest = Math.Max(deepest, Nesting(operand, ops));
            }
            return deepest + 1;
        }

        // A node emitted as one expression per lane: an input, a constant, a negated input, or one vpternlogq cell.
        private bool IsPerLane(Expr node, VectorOps ops)
        {
            if (node.Kind is ExprKind.Variable or ExprKind.Empty or ExprKind.Universe
                || node.Kind == ExprKind.Not && node.OperandArray[0].Kind == ExprKind.Variable)
            {
                return true;
            }
            return _ternary && !ops.IsScalar && TernaryLeaves(node) is not null;
        }

        // The lanes' values of node, in locals: an n-ary operator starts from its first operand in every lane and then
        // folds in each further operand in every lane, so the loads of one input for the whole pass are adjacent (one
        // stream at a time) and each lane is an independent chain. An operand that is itself an operator is computed
        // the same way one level down into its own locals first.
        private LocalBuilder[] EmitLockstep(Expr node, VectorOps ops, int firstLane, int lanes, int level)
        {
            var shared = _shared.Contains(node);
            if (shared && _lockstepComputed.Contains(node))
            {
                return _lockstepShared[node];
            }
            var result = shared ? SharedLanes(node, ops, lanes) : Temporaries(ops, level, lanes);
            if (IsPerLane(node, ops))
            {
                EmitLanes(node, ops, firstLane, result, level, combine: null);
            }
            else if (node.Kind == ExprKind.Not)
            {
                var operand = EmitLockstep(node.OperandArray[0], ops, firstLane, lanes, level + 1);
                for (var c = 0; c < lanes; c++)
                {
                    _il.Emit(OpCodes.Ldloc, operand[c]);
                    EmitNot(ops);
                    _il.Emit(OpCodes.Stloc, result[c]);
                }
            }
            else
            {
                var operands = node.OperandArray;
                var first = 0;
                if (node.Kind == ExprKind.And)
                {
                    // positives first, then one and-not per negative (as EmitAnd)
                    var positive = Array.FindIndex(operands, o => o.Kind != ExprKind.Not);
                    first = positive < 0 ? 0 : positive;
                }
                EmitLanes(operands[first], ops, firstLane, result, level, combine: null);
                for (var i = 0; i < operands.Length; i++)
                {
                    if (i == first || (node.Kind == ExprKind.And && operands[i].Kind == ExprKind.Not))
                    {
                        continue;
                    }
                    EmitLanes(operands[i], ops, firstLane, result, level, node.Kind);
                }
                if (node.Kind == ExprKind.And)
                {
                    for (var i = 0; i < operands.Length; i++)
                    {
                        if (i != first && operands[i].Kind == ExprKind.Not)
                        {
                            EmitLanes(operands[i].OperandArray[0], ops, firstLane, result, level, ExprKind.Not);
                        }
                    }
                }
            }
            if (shared)
            {
                _lockstepComputed.Add(node);
            }
            return result;
        }

        // result[c] = operand in lane c, or result[c] = result[c] op operand (op Not: and-not) when combine is set.
        private void EmitLanes(Expr operand, VectorOps ops, int firstLane, LocalBuilder[] result, int level, ExprKind? combine)
        {
            var il = _il;
            var perLane = IsPerLane(operand, ops) && !(_shared.Contains(operand) && _lockstepComputed.Contains(operand));
            var values = perLane ? null : EmitLockstep(operand, ops, firstLane, result.Length, level + 1);
            for (var c = 0; c < result.Length; c++)
            {
                if (combine is not null)
                {
                    il.Emit(OpCodes.Ldloc, result[c]);
                }
                if (values is null)
                {
                    _lane = c;
                    EmitNode(operand, ops, (firstLane + c) * ops.Bytes);
                }
                else
                {
                    il.Emit(OpCodes.Ldloc, values[c]);
                }
                switch (combine)
                {
                    case null:
                        break;
                    case ExprKind.Not:
                        il.Emit(OpCodes.Call, ops.AndNot);
                        break;
                    default:
                        EmitBinary(ops, combine.Value);
                        break;
                }
                il.Emit(OpCodes.Stloc, result[c]);
            }
            _lane = 0;
        }

        // The lockstep locals of one level, shared by every node at that level (a node's operands, one level down,
        // are consumed before its next sibling is computed).
        private LocalBuilder[] Temporaries(VectorOps ops, int level, int lanes)
        {
            while (_lockstepTemps.Count <= level)
            {
                _lockstepTemps.Add([]);
            }
            var temps = _lockstepTemps[level];
            if (temps.Length < lanes || temps[0].LocalType != ops.Type)
            {
                temps = new LocalBuilder[lanes];
                for (var c = 0; c < lanes; c++)
                {
                    temps[c] = _il.DeclareLocal(ops.Type);
                }
                _lockstepTemps[level] = temps;
            }
            return temps[..lanes];
        }

        // A shared node's own lockstep locals: they must outlive the level temporaries of the node that first computes it.
        private LocalBuilder[] SharedLanes(Expr node, VectorOps ops, int lanes)
        {
            if (!_lockstepShared.TryGetValue(node, out var locals) || locals.Length != lanes)
            {
                locals = new LocalBuilder[lanes];
                for (var c = 0; c < lanes; c++)
                {
                    locals[c] = _il.DeclareLocal(ops.Type);
                }
                _lockstepShared[node] = locals;
            }
            return locals;
        }

        // Carry-save adder: high = majority(low, b, c), low = low ^ b ^ c.
        private void EmitAdder(VectorOps ops, LocalBuilder low, LocalBuilder b, LocalBuilder c, LocalBuilder high, LocalBuilder sum)
        {
            var il = _il;
            if (_ternary)
            {
                foreach (var (destination, control) in new[] { (high, MajorityControl), (low, SumControl) })
                {
                    il.Emit(OpCodes.Ldloc, low);
                    il.Emit(OpCodes.Ldloc, b);
                    il.Emit(OpCodes.Ldloc, c);
                    il.Emit(OpCodes.Ldc_I4, (int)control);
                    il.Emit(OpCodes.Call, VectorOps.TernaryLogic);
                    il.Emit(OpCodes.Stloc, destination);
                }
                return;
            }
            EmitBinary(ops, ExprKind.Xor, low, b);
            il.Emit(OpCodes.Stloc, sum);
            EmitBinary(ops, ExprKind.And, low, b);
            EmitBinary(ops, ExprKind.And, sum, c);
            EmitBinary(ops, ExprKind.Or);
            il.Emit(OpCodes.Stloc, high);
            EmitBinary(ops, ExprKind.Xor, sum, c);
            il.Emit(OpCodes.Stloc, low);
        }

        // Loads two locals and combines them with kind; the result stays on the stack.
        private void EmitBinary(VectorOps ops, ExprKind kind, LocalBuilder left, LocalBuilder right)
        {
            _il.Emit(OpCodes.Ldloc, left);
            _il.Emit(OpCodes.Ldloc, right);
            EmitBinary(ops, kind);
        }

        private void EmitAdvance(int step)
        {
            _il.Emit(OpCodes.Ldloc, _offset);
            _il.Emit(OpCodes.Ldc_I4, step);
            _il.Emit(OpCodes.Add);
            _il.Emit(OpCodes.Stloc, _offset);
        }

        // for (; offset < end; offset += step) { step / ops.Bytes vectors }
        private void EmitLoop(VectorOps ops, int step, LocalBuilder end, bool nonTemporal)
        {
            var il = _il;
            var body = il.DefineLabel();
            var condition = il.DefineLabel();
            var result = il.DeclareLocal(ops.Type);
            var any = _variant == KernelVariant.Any ? il.DeclareLocal(ops.Type) : null;
            var counting = _variant is KernelVariant.Count or KernelVariant.WriteCount;
            var counts = counting ? il.DeclareLocal(ops.Type) : null;
            if (counts is not null)
            {
                if (_groupCounts is not null && _groupCounts.LocalType == ops.Type)
                {
                    il.Emit(OpCodes.Ldloc, _groupCounts);
                    _groupCounts = null;
                }
                else
                {
                    EmitConstant(ops, ones: false);
                }
                il.Emit(OpCodes.Stloc, counts);
            }
            il.Emit(OpCodes.Br, condition);
            il.MarkLabel(body);
            var lanes = Math.Max(1, step / ops.Bytes);
            var passLanes = ops.IsScalar ? 1 : LockstepLanes(ops, lanes);
            LocalBuilder[]? results = null;
            for (var c = 0; c < lanes; c++)
            {
                var byteOffset = c * ops.Bytes;
                if (passLanes == 1)
                {
                    _computed.Clear();
                    EmitNode(_shape, ops, byteOffset);
                    il.Emit(OpCodes.Stloc, result);
                }
                else
                {
                    if (c % passLanes == 0)
                    {
                        results = EmitPass(ops, c, passLanes);
                    }
                    result = results![c % passLanes];
                }
                switch (_variant)
                {
                    case KernelVariant.Write:
                        EmitStore(ops, byteOffset, result, nonTemporal);
                        break;
                    case KernelVariant.Count:
                        EmitCount(ops, result, counts!);
                        break;
                    case KernelVariant.WriteCount:
                        EmitStore(ops, byteOffset, result, nonTemporal);
                        EmitCount(ops, result, counts!);
                        break;
                    default:
                        if (c > 0)
                        {
                            il.Emit(OpCodes.Ldloc, any!);
                            il.Emit(OpCodes.Ldloc, result);
                            EmitBinary(ops, ExprKind.Or);
                        }
                        else
                        {
                            il.Emit(OpCodes.Ldloc, result);
                        }
                        il.Emit(OpCodes.Stloc, any!);
                        break;
                }
            }
            if (any is not null)
            {
                il.Emit(OpCodes.Ldloc, any);
                if (!ops.IsScalar)
                {
                    il.Emit(OpCodes.Call, ops.Zero);
                    il.Emit(OpCodes.Call, ops.NotEqual);
                }
                il.Emit(OpCodes.Brtrue, _found);
            }
            EmitAdvance(step);
            il.MarkLabel(condition);
            il.Emit(OpCodes.Ldloc, _offset);
            il.Emit(OpCodes.Ldloc, end);
            il.Emit(OpCodes.Blt, body);
            if (counts is not null)
            {
                // count += Sum(counts): the lanes are summed once per loop, not per vector.
                il.Emit(OpCodes.Ldloc, _count);
                il.Emit(OpCodes.Ldloc, counts);
                il.Emit(OpCodes.Call, ops.CountSum);
                il.Emit(OpCodes.Add);
                il.Emit(OpCodes.Stloc, _count);
            }
        }

        private void EmitNode(Expr node, VectorOps ops, int byteOffset)
        {
            var il = _il;
            var shared = _shared.Contains(node);
            if (shared && _computed.Contains((node, _lane)))
            {
                il.Emit(OpCodes.Ldloc, _sharedLocals[(node, ops.Type, _lane)]);
                return;
            }
            if (_ternary && !ops.IsScalar && TryEmitTernary(node, ops, byteOffset))
            {
                // emitted as one cell
            }
            else
            {
                switch (node.Kind)
                {
                    case ExprKind.Variable:
                        il.Emit(OpCodes.Ldloc, _pointers[CanonicalForm.PositionOf(node)]);
                        il.Emit(OpCodes.Ldloc, _offset);
                        il.Emit(OpCodes.Add);
                        if (byteOffset != 0)
                        {
                            il.Emit(OpCodes.Ldc_I4, byteOffset);
                            il.Emit(OpCodes.Conv_I);
                            il.Emit(OpCodes.Add);
                        }
                        if (ops.IsScalar)
                        {
                            il.Emit(OpCodes.Ldind_I8);
                        }
                        else
                        {
                            il.Emit(OpCodes.Ldobj, ops.Type);
                        }
                        break;
                    case ExprKind.Empty:
                    case ExprKind.Universe:
                        EmitConstant(ops, node.Kind == ExprKind.Universe);
                        break;
                    case ExprKind.Not:
                        EmitNode(node.OperandArray[0], ops, byteOffset);
                        EmitNot(ops);
                        break;
                    case ExprKind.And:
                        EmitAnd(node, ops, byteOffset);
                        break;
                    default:
                        EmitNode(node.OperandArray[0], ops, byteOffset);
                        for (var i = 1; i < node.OperandArray.Length; i++)
                        {
                            EmitNode(node.OperandArray[i], ops, byteOffset);
                            EmitBinary(ops, node.Kind);
                        }
                        break;
                }
            }
            if (shared)
            {
                if (!_sharedLocals.TryGetValue((node, ops.Type, _lane), out var local))
                {
                    local = il.DeclareLocal(ops.Type);
                    _sharedLocals[(node, ops.Type, _lane)] = local;
                }
                il.Emit(OpCodes.Dup);
                il.Emit(OpCodes.Stloc, local);
                _computed.Add((node, _lane));
            }
        }

        // a & b & !c & !d = andnot(andnot(a & b, c), d): positives first, then one and-not per negative.
        private void EmitAnd(Expr node, VectorOps ops, int byteOffset)
        {
            var operands = node.OperandArray;
            var first = -1;
            for (var i = 0; i < operands.Length; i++)
            {
                if (operands[i].Kind != ExprKind.Not)
                {
                    first = i;
                    break;
                }
            }
            first = first < 0 ? 0 : first;
            EmitNode(operands[first], ops, byteOffset);
            for (var i = 0; i < operands.Length; i++)
            {
                if (i == first || operands[i].Kind == ExprKind.Not)
                {
                    continue;
                }
                EmitNode(operands[i], ops, byteOffset);
                EmitBinary(ops, ExprKind.And);
            }
            for (var i = 0; i < operands.Length; i++)
            {
                if (i == first || operands[i].Kind != ExprKind.Not)
                {
                    continue;
                }
                EmitNode(operands[i].OperandArray[0], ops, byteOffset);
                if (ops.IsScalar)
                {
                    _il.Emit(OpCodes.Not);
                    _il.Emit(OpCodes.And);
                }
                else
                {
                    _il.Emit(OpCodes.Call, ops.AndNot);
                }
            }
        }

        // One vpternlogq for a subtree over at most three distinct inputs (and at least two operators).
        private bool TryEmitTernary(Expr node, VectorOps ops, int byteOffset)
        {
            if (TernaryLeaves(node) is not { } leaves)
            {
                return false;
            }
            var control = TernaryLogicTable.Of(node, leaves);
            for (var i = 0; i < 3; i++)
            {
                EmitNode(leaves[Math.Min(i, leaves.Count - 1)], ops, byteOffset);
            }
            _il.Emit(OpCodes.Ldc_I4, (int)control);
            _il.Emit(OpCodes.Call, VectorOps.TernaryLogic);
            return true;
        }

        // The distinct inputs of node when it is one vpternlogq cell (at most three, at least two operators), else null.
        private List<Expr>? TernaryLeaves(Expr node)
        {
            if (node.OperandArray.Length == 0 || node.Kind == ExprKind.Not && node.OperandArray[0].Kind == ExprKind.Variable)
            {
                return null;
            }
            var leaves = new List<Expr>(3);
            var operators = 0;
            return CollectLeaves(node, leaves, ref operators) && operators >= 2 ? leaves : null;
        }

        private bool CollectLeaves(Expr node, List<Expr> leaves, ref int operators)
        {
            if (node.Kind == ExprKind.Variable)
            {
                if (!leaves.Contains(node))
                {
                    if (leaves.Count == 3)
                    {
                        return false;
                    }
                    leaves.Add(node);
                }
                return true;
            }
            if (node.OperandArray.Length == 0 || (_shared.Contains(node) && !ReferenceEquals(node, _shape) && operators > 0))
            {
                return false;
            }
            operators += Math.Max(1, node.OperandArray.Length - 1);
            foreach (var operand in node.OperandArray)
            {
                if (!CollectLeaves(operand, leaves, ref operators))
                {
                    return false;
                }
            }
            return true;
        }

        private void EmitBinary(VectorOps ops, ExprKind kind)
        {
            if (ops.IsScalar)
            {
                _il.Emit(kind switch
                {
                    ExprKind.And => OpCodes.And,
                    ExprKind.Or => OpCodes.Or,
                    _ => OpCodes.Xor,
                });
                return;
            }
            _il.Emit(OpCodes.Call, kind switch
            {
                ExprKind.And => ops.And,
                ExprKind.Or => ops.Or,
                _ => ops.Xor,
            });
        }

        private void EmitNot(VectorOps ops)
        {
            if (ops.IsScalar)
            {
                _il.Emit(OpCodes.Not);
            }
            else
            {
                _il.Emit(OpCodes.Call, ops.Not);
            }
        }

        private void EmitConstant(VectorOps ops, bool ones)
        {
            if (ops.IsScalar)
            {
                _il.Emit(OpCodes.Ldc_I8, ones ? -1L : 0L);
            }
            else
            {
                _il.Emit(OpCodes.Call, ones ? ops.AllBitsSet : ops.Zero);
            }
        }

        private void EmitStore(VectorOps ops, int byteOffset, LocalBuilder result, bool nonTemporal)
        {
            var il = _il;
            if (nonTemporal)
            {
                // Vector*.StoreAlignedNonTemporal(value, address): the block loop keeps address 64-byte aligned.
                il.Emit(OpCodes.Ldloc, result);
            }
            il.Emit(OpCodes.Ldarg_2);
            il.Emit(OpCodes.Ldloc, _offset);
            il.Emit(OpCodes.Add);
            if (byteOffset != 0)
            {
                il.Emit(OpCodes.Ldc_I4, byteOffset);
                il.Emit(OpCodes.Add);
            }
            if (nonTemporal)
            {
                il.Emit(OpCodes.Call, ops.StoreNonTemporal);
                return;
            }
            il.Emit(OpCodes.Ldloc, result);
            if (ops.IsScalar)
            {
                il.Emit(OpCodes.Stind_I8);
            }
            else
            {
                il.Emit(OpCodes.Stobj, ops.Type);
            }
        }

        // counts = KernelCounting.Add(counts, result[, lookup, mask]): a vector popcount kept in the registers.
        private void EmitCount(VectorOps ops, LocalBuilder result, LocalBuilder counts)
        {
            var il = _il;
            il.Emit(OpCodes.Ldloc, counts);
            il.Emit(OpCodes.Ldloc, result);
            EmitCountAdd(ops);
            il.Emit(OpCodes.Stloc, counts);
        }

        // Consumes (counts, value) on the stack, leaves the new counts.
        private void EmitCountAdd(VectorOps ops)
        {
            if (ops.CountAddWith is not null && _countLookup is not null && _countMask is not null && _countLookup.LocalType == ops.CountLookup!.ReturnType)
            {
                _il.Emit(OpCodes.Ldloc, _countLookup);
                _il.Emit(OpCodes.Ldloc, _countMask);
                _il.Emit(OpCodes.Call, ops.CountAddWith);
                return;
            }
            _il.Emit(OpCodes.Call, ops.CountAdd);
        }

        // Nodes reached from more than one parent (hash-consing makes them one object) and
        // variables used more than once: computed once per vector, kept in a local.
        private void FindShared(Expr node, HashSet<Expr> visited)
        {
            if (!visited.Add(node))
            {
                if (node.Kind is not (ExprKind.Empty or ExprKind.Universe))
                {
                    _shared.Add(node);
                }
                return;
            }
            foreach (var operand in node.OperandArray)
            {
                FindShared(operand, visited);
            }
        }
    }

    /// <summary>The locals a carry-save tree reuses: one pair per depth, and the adder's partial sum.</summary>
    private sealed class Scratch
    {
        public Scratch(ILGenerator il, Type type, int depth)
        {
            Left = new LocalBuilder[depth];
            Right = new LocalBuilder[depth];
            for (var d = 0; d < depth; d++)
            {
                Left[d] = il.DeclareLocal(type);
                Right[d] = il.DeclareLocal(type);
            }
            Sum = il.DeclareLocal(type);
        }

        public LocalBuilder[] Left { get; }

        public LocalBuilder[] Right { get; }

        public LocalBuilder Sum { get; }
    }
}
