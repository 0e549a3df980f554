using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Bitfuse.Query.Compilation;

namespace Bitfuse.Benchmarks.Suites;

/// <summary>
/// The machine's own ceilings: a read-only streaming pass and a streaming copy with the widest
/// accelerated vectors. Other suites express results as a fraction of these ("read-limit").
/// </summary>
public static unsafe class MemoryLimits
{
    /// <summary>XOR-reduces <paramref name="words"/> 64-bit words at <paramref name="source"/>: reads every byte once, stores nothing.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static ulong XorReduce(ulong* source, nint words)
    {
        nint i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            var acc0 = Vector512<ulong>.Zero;
            var acc1 = Vector512<ulong>.Zero;
            for (; i + 16 <= words; i += 16)
            {
                acc0 ^= Vector512.Load(source + i);
                acc1 ^= Vector512.Load(source + i + 8);
            }
            var acc = acc0 ^ acc1;
            var folded = acc.GetLower() ^ acc.GetUpper();
            return Tail(source, i, words, folded.GetLower() ^ folded.GetUpper());
        }
        if (Vector256.IsHardwareAccelerated)
        {
            var acc0 = Vector256<ulong>.Zero;
            var acc1 = Vector256<ulong>.Zero;
            for (; i + 8 <= words; i += 8)
            {
                acc0 ^= Vector256.Load(source + i);
                acc1 ^= Vector256.Load(source + i + 4);
            }
            var acc = acc0 ^ acc1;
            return Tail(source, i, words, acc.GetLower() ^ acc.GetUpper());
        }
        return Tail(source, 0, words, Vector128<ulong>.Zero);
    }

    /// <summary>
    /// Reads each of <paramref name="inputs"/> once and, when <paramref name="output"/> is not null, stores
    /// one output of the same length: the least memory traffic a fused n-input query can need. Outputs of
    /// <see cref="Kernel.StreamingThresholdBytes"/> or more at a 64-byte-aligned address are stored with
    /// non-temporal stores (no read for ownership, no eviction of the inputs), as the kernels and
    /// TensorPrimitives do; smaller ones with plain stores.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static ulong ReadInputsWriteOne(ulong*[] inputs, ulong* output, nint words)
    {
        var nonTemporal = output != null && words >= Kernel.StreamingThresholdBytes / sizeof(ulong) && ((nint)output & 63) == 0;
        fixed (ulong** pointers = inputs)
        {
            return Vector512.IsHardwareAccelerated
                ? ReadInputsWriteOne512(pointers, inputs.Length, output, words, nonTemporal)
                : ReadInputsWriteOne256(pointers, inputs.Length, output, words, nonTemporal);
        }
    }

    /// <summary>
    /// The forms of the <c>read-limit</c> floor: the same traffic as <see cref="ReadInputsWriteOne"/> with one, two,
    /// four and eight 512-bit accumulators per step (when AVX-512 is accelerated), eight 256-bit ones, 8 KiB blocks and,
    /// for 2, 4, 8 or 16 inputs, loops with the input pointers in registers that read eight vectors (2, 4, 8 inputs),
    /// one 64-byte line or two lines of every input per step, each with plain and with streaming stores when it writes.
    /// A case times them all and keeps the fastest, so no kernel can move the same bytes faster than the limit it is
    /// held to.
    /// </summary>
    public static IReadOnlyList<(string Form, Func<ulong> Run)> ReadLimitForms(ulong*[] inputs, ulong* output, nint words)
    {
        var table = new nint[inputs.Length];
        for (var i = 0; i < inputs.Length; i++)
        {
            table[i] = (nint)inputs[i];
        }
        var o = (nint)output;
        // A written output is tried with plain and with non-temporal stores whatever its size: which is faster
        // depends on whether the traffic fits the caches of the machine at hand, and the floor must be the faster.
        bool[] storeKinds = output == null ? [false] : ((nint)output & 63) == 0 ? [false, true] : [false];
        var forms = new List<(string, Func<ulong>)>();
        foreach (var nonTemporal in storeKinds)
        {
            var suffix = nonTemporal ? ", streaming stores" : "";
            forms.Add(("ymm x8" + suffix, () => ReadForm(0, table, (ulong*)o, words, nonTemporal)));
            if (Vector512.IsHardwareAccelerated)
            {
                forms.Add(("zmm x1" + suffix, () => ReadForm(1, table, (ulong*)o, words, nonTemporal)));
                forms.Add(("zmm x2" + suffix, () => ReadForm(2, table, (ulong*)o, words, nonTemporal)));
                forms.Add(("zmm x4" + suffix, () => ReadForm(4, table, (ulong*)o, words, nonTemporal)));
                forms.Add(("zmm x8" + suffix, () => ReadForm(16, table, (ulong*)o, words, nonTemporal)));
                forms.Add(("zmm blocked 8 KiB" + suffix, () => ReadForm(8, table, (ulong*)o, words, nonTemporal)));
            }
            foreach (var (name, fixedForm) in FixedForms(inputs, o, words, nonTemporal))
            {
                forms.Add((name + suffix, fixedForm));
            }
        }
        return forms;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static ulong ReadForm(int form, nint[] table, ulong* output, nint words, bool nonTemporal)
    {
        fixed (nint* p = table)
        {
            var inputs = (ulong**)p;
            return form switch
            {
                0 => ReadInputsWriteOne256(inputs, table.Length, output, words, nonTemporal),
                1 => ReadInputsWriteOne512(inputs, table.Length, output, words, nonTemporal),
                2 => ReadInputsWriteOne512x2(inputs, table.Length, output, words, nonTemporal),
                4 => ReadInputsWriteOne512x4(inputs, table.Length, output, words, nonTemporal),
                16 => ReadInputsWriteOne512x8(inputs, table.Length, output, words, nonTemporal),
                _ => ReadInputsBlocked512(inputs, table.Length, output, words, nonTemporal),
            };
        }
    }

    // The call goes straight to the loop specialised for the count, over a pinned pointer table made once, so the
    // form pays no more per call than a kernel does. Three steps: eight vectors of every input (the lockstep loops of
    // small trees), one 64-byte line of every input (the block loop, which is all a kernel for a tree of more than 24
    // nodes runs when writing) and two lines of every input (a large tree's counting pass at 512 bits). Sixteen inputs
    // get the two line steps only (ReadSixteenLines); eight vectors of each is the generic zmm x8 form.
    private static List<(string Form, Func<ulong> Run)> FixedForms(ulong*[] inputs, nint output, nint words, bool nonTemporal)
    {
        var forms = new List<(string Form, Func<ulong> Run)>();
        var table = GC.AllocateArray<nint>(inputs.Length, pinned: true);
        for (var i = 0; i < inputs.Length; i++)
        {
            table[i] = (nint)inputs[i];
        }
        var pointers = (nint)Unsafe.AsPointer(ref table[0]);
        foreach (var step in new[] { FixedStep.EightVectors, FixedStep.OneLine, FixedStep.TwoLines })
        {
            Func<ulong>? run = inputs.Length switch
            {
                2 => () => ReadFixed(new TwoInputs((ulong**)pointers), step, (ulong**)pointers, (ulong*)output, words, nonTemporal, table),
                4 => () => ReadFixed(new FourInputs((ulong**)pointers), step, (ulong**)pointers, (ulong*)output, words, nonTemporal, table),
                8 => () => ReadFixed(new EightInputs((ulong**)pointers), step, (ulong**)pointers, (ulong*)output, words, nonTemporal, table),
                16 when step == FixedStep.OneLine => () => ReadSixteenLines<OneLine>((ulong**)pointers, (ulong*)output, words, nonTemporal, table),
                16 when step == FixedStep.TwoLines => () => ReadSixteenLines<TwoLines>((ulong**)pointers, (ulong*)output, words, nonTemporal, table),
                _ => null,
            };
            if (run is not null)
            {
                forms.Add((step switch
                {
                    FixedStep.EightVectors => "x8, inputs in registers",
                    FixedStep.OneLine => "one line per input per step, inputs in registers",
                    _ => "two lines per input per step, inputs in registers",
                }, run));
            }
        }
        return forms;
    }

    private enum FixedStep
    {
        EightVectors,
        OneLine,
        TwoLines,
    }

    private static ulong ReadFixed<TInputs>(TInputs fixedInputs, FixedStep step, ulong** inputs, ulong* output, nint words, bool nonTemporal, nint[] keepAlive)
        where TInputs : struct, IFixedInputs => step switch
        {
            FixedStep.EightVectors => ReadFixedWriteOne(fixedInputs, inputs, output, words, nonTemporal, keepAlive),
            FixedStep.OneLine => ReadFixedLines<TInputs, OneLine>(fixedInputs, inputs, output, words, nonTemporal, keepAlive),
            _ => ReadFixedLines<TInputs, TwoLines>(fixedInputs, inputs, output, words, nonTemporal, keepAlive),
        };

    private static ulong ReadFixedLines<TInputs, TLines>(TInputs fixedInputs, ulong** inputs, ulong* output, nint words, bool nonTemporal, nint[] keepAlive)
        where TInputs : struct, IFixedInputs
        where TLines : struct, ILineCount =>
        output == null ? ReadFixedLines<TInputs, TLines, NoStore>(fixedInputs, inputs, output, words, keepAlive)
        : nonTemporal ? ReadFixedLines<TInputs, TLines, StreamingStore>(fixedInputs, inputs, output, words, keepAlive)
        : ReadFixedLines<TInputs, TLines, PlainStore>(fixedInputs, inputs, output, words, keepAlive);

    // A fixed number of inputs whose pointers live in registers, as in a kernel emitted for that many inputs: no
    // table of input pointers is read and no loop over the inputs runs inside a step (the generic forms pay both,
    // which a two-input kernel over 8 KiB beats by a few percent).
    private interface IFixedInputs
    {
        int Count { get; }

        Vector512<ulong> Xor512(nint i);

        Vector256<ulong> Xor256(nint i);
    }

    private readonly struct TwoInputs(ulong** inputs) : IFixedInputs
    {
        private readonly ulong* _a = inputs[0], _b = inputs[1];

        public int Count => 2;

        public Vector512<ulong> Xor512(nint i) => Vector512.Load(_a + i) ^ Vector512.Load(_b + i);

        public Vector256<ulong> Xor256(nint i) => Vector256.Load(_a + i) ^ Vector256.Load(_b + i);
    }

    private readonly struct FourInputs(ulong** inputs) : IFixedInputs
    {
        private readonly ulong* _a = inputs[0], _b = inputs[1], _c = inputs[2], _d = inputs[3];

        public int Count => 4;

        public Vector512<ulong> Xor512(nint i) =>
            Vector512.Load(_a + i) ^ Vector512.Load(_b + i) ^ Vector512.Load(_c + i) ^ Vector512.Load(_d + i);

        public Vector256<ulong> Xor256(nint i) =>
            Vector256.Load(_a + i) ^ Vector256.Load(_b + i) ^ Vector256.Load(_c + i) ^ Vector256.Load(_d + i);
    }

    private readonly struct EightInputs(ulong** inputs) : IFixedInputs
    {
        private readonly FourInputs _low = new(inputs), _high = new(inputs + 4);

        public int Count => 8;

        public Vector512<ulong> Xor512(nint i) => _low.Xor512(i) ^ _high.Xor512(i);

        public Vector256<ulong> Xor256(nint i) => _low.Xor256(i) ^ _high.Xor256(i);
    }

    // Eight vectors of the widest accelerated width per step, each the XOR of every input.
    // keepAlive is the pinned table behind inputs, held by the form's closure.
    private static ulong ReadFixedWriteOne<TInputs>(TInputs fixedInputs, ulong** inputs, ulong* output, nint words, bool nonTemporal, nint[] keepAlive)
        where TInputs : struct, IFixedInputs
    {
        _ = keepAlive;
        nint i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            var sink = Vector512<ulong>.Zero;
            for (; i + 64 <= words; i += 64)
            {
                var v0 = fixedInputs.Xor512(i);
                var v1 = fixedInputs.Xor512(i + 8);
                var v2 = fixedInputs.Xor512(i + 16);
                var v3 = fixedInputs.Xor512(i + 24);
                var v4 = fixedInputs.Xor512(i + 32);
                var v5 = fixedInputs.Xor512(i + 40);
                var v6 = fixedInputs.Xor512(i + 48);
                var v7 = fixedInputs.Xor512(i + 56);
                if (output == null)
                {
                    sink |= v0 | v1 | v2 | v3 | v4 | v5 | v6 | v7;
                    continue;
                }
                var target = output + i;
                Store(v0, target, nonTemporal);
                Store(v1, target + 8, nonTemporal);
                Store(v2, target + 16, nonTemporal);
                Store(v3, target + 24, nonTemporal);
                Store(v4, target + 32, nonTemporal);
                Store(v5, target + 40, nonTemporal);
                Store(v6, target + 48, nonTemporal);
                Store(v7, target + 56, nonTemporal);
            }
            if (nonTemporal)
            {
                Sse.StoreFence();
            }
            return Tail(inputs, fixedInputs.Count, output, i, words, sink.GetLower() | sink.GetUpper());
        }
        var sink256 = Vector256<ulong>.Zero;
        for (; i + 32 <= words; i += 32)
        {
            var v0 = fixedInputs.Xor256(i);
            var v1 = fixedInputs.Xor256(i + 4);
            var v2 = fixedInputs.Xor256(i + 8);
            var v3 = fixedInputs.Xor256(i + 12);
            var v4 = fixedInputs.Xor256(i + 16);
            var v5 = fixedInputs.Xor256(i + 20);
            var v6 = fixedInputs.Xor256(i + 24);
            var v7 = fixedInputs.Xor256(i + 28);
            if (output == null)
            {
                sink256 |= v0 | v1 | v2 | v3 | v4 | v5 | v6 | v7;
                continue;
            }
            var target = output + i;
            Store(v0, target, nonTemporal);
            Store(v1, target + 4, nonTemporal);
            Store(v2, target + 8, nonTemporal);
            Store(v3, target + 12, nonTemporal);
            Store(v4, target + 16, nonTemporal);
            Store(v5, target + 20, nonTemporal);
            Store(v6, target + 24, nonTemporal);
            Store(v7, target + 28, nonTemporal);
        }
        if (nonTemporal)
        {
            Sse.StoreFence();
        }
        return Tail(inputs, fixedInputs.Count, output, i, words, sink256);
    }

    // One 64-byte line of every input per step (two with TLines): all the input streams advance together a line at a
    // time, as in a kernel's block loop, where the eight-vector step reads 512 bytes of one input before the next. The
    // line count and the kind of store are type arguments, so the step holds no branch but the loop's own.
    // keepAlive is the pinned table behind inputs, held by the form's closure.
    private static ulong ReadFixedLines<TInputs, TLines, TStore>(TInputs fixedInputs, ulong** inputs, ulong* output, nint words, nint[] keepAlive)
        where TInputs : struct, IFixedInputs
        where TLines : struct, ILineCount
        where TStore : struct, IStoreKind
    {
        _ = keepAlive;
        nint i = 0;
        var stepWords = TLines.Two ? 16 : 8;
        if (Vector512.IsHardwareAccelerated)
        {
            var sink = Vector512<ulong>.Zero;
            for (; i + stepWords <= words; i += stepWords)
            {
                var v0 = fixedInputs.Xor512(i);
                var v1 = TLines.Two ? fixedInputs.Xor512(i + 8) : Vector512<ulong>.Zero;
                if (!TStore.Writes)
                {
                    sink |= v0 | v1;
                    continue;
                }
                Store(v0, output + i, TStore.NonTemporal);
                if (TLines.Two)
                {
                    Store(v1, output + i + 8, TStore.NonTemporal);
                }
            }
            if (TStore.NonTemporal)
            {
                Sse.StoreFence();
            }
            return Tail(inputs, fixedInputs.Count, output, i, words, sink.GetLower() | sink.GetUpper());
        }
        var sink256 = Vector256<ulong>.Zero;
        for (; i + stepWords <= words; i += stepWords)
        {
            var v0 = fixedInputs.Xor256(i);
            var v1 = fixedInputs.Xor256(i + 4);
            var v2 = TLines.Two ? fixedInputs.Xor256(i + 8) : Vector256<ulong>.Zero;
            var v3 = TLines.Two ? fixedInputs.Xor256(i + 12) : Vector256<ulong>.Zero;
            if (!TStore.Writes)
            {
                sink256 |= v0 | v1 | v2 | v3;
                continue;
            }
            Store(v0, output + i, TStore.NonTemporal);
            Store(v1, output + i + 4, TStore.NonTemporal);
            if (TLines.Two)
            {
                Store(v2, output + i + 8, TStore.NonTemporal);
                Store(v3, output + i + 12, TStore.NonTemporal);
            }
        }
        if (TStore.NonTemporal)
        {
            Sse.StoreFence();
        }
        return Tail(inputs, fixedInputs.Count, output, i, words, sink256);
    }

    private static ulong ReadSixteenLines<TLines>(ulong** inputs, ulong* output, nint words, bool nonTemporal, nint[] keepAlive)
        where TLines : struct, ILineCount =>
        output == null ? ReadSixteenLines<TLines, NoStore>(inputs, output, words, keepAlive)
        : nonTemporal ? ReadSixteenLines<TLines, StreamingStore>(inputs, output, words, keepAlive)
        : ReadSixteenLines<TLines, PlainStore>(inputs, output, words, keepAlive);

    // Sixteen inputs a line (or two) of each per step, as ReadFixedLines, with the pointers in locals: the JIT keeps ten
    // in registers and reloads six from the stack each step, as in an emitted 16-input kernel. Held in a struct argument
    // (IFixedInputs) all sixteen are reloaded from memory every step, 32 loads for 16 lines, and at 64 MiB that loop
    // ran 18% slower than the kernel: a core's reads from DRAM are bound by how many lines it has in flight, and every
    // load in the loop takes a slot in the load queue that a line could have.
    private static ulong ReadSixteenLines<TLines, TStore>(ulong** inputs, ulong* output, nint words, nint[] keepAlive)
        where TLines : struct, ILineCount
        where TStore : struct, IStoreKind
    {
        _ = keepAlive;
        ulong* a0 = inputs[0], a1 = inputs[1], a2 = inputs[2], a3 = inputs[3], a4 = inputs[4], a5 = inputs[5], a6 = inputs[6], a7 = inputs[7];
        ulong* a8 = inputs[8], a9 = inputs[9], a10 = inputs[10], a11 = inputs[11], a12 = inputs[12], a13 = inputs[13], a14 = inputs[14], a15 = inputs[15];
        nint i = 0;
        var stepWords = TLines.Two ? 16 : 8;
        if (Vector512.IsHardwareAccelerated)
        {
            var sink = Vector512<ulong>.Zero;
            for (; i + stepWords <= words; i += stepWords)
            {
                var v0 = Xor512(i, a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, a14, a15);
                var v1 = TLines.Two ? Xor512(i + 8, a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, a14, a15) : Vector512<ulong>.Zero;
                if (!TStore.Writes)
                {
                    sink |= v0 | v1;
                    continue;
                }
                Store(v0, output + i, TStore.NonTemporal);
                if (TLines.Two)
                {
                    Store(v1, output + i + 8, TStore.NonTemporal);
                }
            }
            if (TStore.NonTemporal)
            {
                Sse.StoreFence();
            }
            return Tail(inputs, 16, output, i, words, sink.GetLower() | sink.GetUpper());
        }
        var sink256 = Vector256<ulong>.Zero;
        for (; i + stepWords <= words; i += stepWords)
        {
            var v0 = Xor256(i, a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, a14, a15);
            var v1 = Xor256(i + 4, a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, a14, a15);
            var v2 = TLines.Two ? Xor256(i + 8, a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, a14, a15) : Vector256<ulong>.Zero;
            var v3 = TLines.Two ? Xor256(i + 12, a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, a14, a15) : Vector256<ulong>.Zero;
            if (!TStore.Writes)
            {
                sink256 |= v0 | v1 | v2 | v3;
                continue;
            }
            Store(v0, output + i, TStore.NonTemporal);
            Store(v1, output + i + 4, TStore.NonTemporal);
            if (TLines.Two)
            {
                Store(v2, output + i + 8, TStore.NonTemporal);
                Store(v3, output + i + 12, TStore.NonTemporal);
            }
        }
        if (TStore.NonTemporal)
        {
            Sse.StoreFence();
        }
        return Tail(inputs, 16, output, i, words, sink256);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<ulong> Xor512(nint i, ulong* a0, ulong* a1, ulong* a2, ulong* a3, ulong* a4, ulong* a5, ulong* a6, ulong* a7,
        ulong* a8, ulong* a9, ulong* a10, ulong* a11, ulong* a12, ulong* a13, ulong* a14, ulong* a15) =>
        Vector512.Load(a0 + i) ^ Vector512.Load(a1 + i) ^ Vector512.Load(a2 + i) ^ Vector512.Load(a3 + i)
        ^ Vector512.Load(a4 + i) ^ Vector512.Load(a5 + i) ^ Vector512.Load(a6 + i) ^ Vector512.Load(a7 + i)
        ^ Vector512.Load(a8 + i) ^ Vector512.Load(a9 + i) ^ Vector512.Load(a10 + i) ^ Vector512.Load(a11 + i)
        ^ Vector512.Load(a12 + i) ^ Vector512.Load(a13 + i) ^ Vector512.Load(a14 + i) ^ Vector512.Load(a15 + i);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<ulong> Xor256(nint i, ulong* a0, ulong* a1, ulong* a2, ulong* a3, ulong* a4, ulong* a5, ulong* a6, ulong* a7,
        ulong* a8, ulong* a9, ulong* a10, ulong* a11, ulong* a12, ulong* a13, ulong* a14, ulong* a15) =>
        Vector256.Load(a0 + i) ^ Vector256.Load(a1 + i) ^ Vector256.Load(a2 + i) ^ Vector256.Load(a3 + i)
        ^ Vector256.Load(a4 + i) ^ Vector256.Load(a5 + i) ^ Vector256.Load(a6 + i) ^ Vector256.Load(a7 + i)
        ^ Vector256.Load(a8 + i) ^ Vector256.Load(a9 + i) ^ Vector256.Load(a10 + i) ^ Vector256.Load(a11 + i)
        ^ Vector256.Load(a12 + i) ^ Vector256.Load(a13 + i) ^ Vector256.Load(a14 + i) ^ Vector256.Load(a15 + i);

    private interface ILineCount
    {
        static abstract bool Two { get; }
    }

    private readonly struct OneLine : ILineCount
    {
        public static bool Two => false;
    }

    private readonly struct TwoLines : ILineCount
    {
        public static bool Two => true;
    }

    private interface IStoreKind
    {
        static abstract bool Writes { get; }

        static abstract bool NonTemporal { get; }
    }

    private readonly struct NoStore : IStoreKind
    {
        public static bool Writes => false;

        public static bool NonTemporal => false;
    }

    private readonly struct PlainStore : IStoreKind
    {
        public static bool Writes => true;

        public static bool NonTemporal => false;
    }

    private readonly struct StreamingStore : IStoreKind
    {
        public static bool Writes => true;

        public static bool NonTemporal => true;
    }

    // One input at a time over an 8 KiB block, XOR-ed into an L1-resident accumulator, then the block is stored: each
    // input is read as one sequential stream per block instead of all inputs interleaved per 64 bytes.
    private static ulong ReadInputsBlocked512(ulong** inputs, int count, ulong* output, nint words, bool nonTemporal)
    {
        const int BlockWords = 1024;
        var block = stackalloc ulong[BlockWords + 8];
        var acc = (ulong*)(((nint)block + 63) & ~(nint)63);
        var sink = Vector512<ulong>.Zero;
        nint start = 0;
        for (; start + BlockWords <= words; start += BlockWords)
        {
            var first = inputs[0] + start;
            for (var j = 0; j < BlockWords; j += 32)
            {
                Vector512.Load(first + j).Store(acc + j);
                Vector512.Load(first + j + 8).Store(acc + j + 8);
                Vector512.Load(first + j + 16).Store(acc + j + 16);
                Vector512.Load(first + j + 24).Store(acc + j + 24);
            }
            for (var k = 1; k < count; k++)
            {
                var source = inputs[k] + start;
                for (var j = 0; j < BlockWords; j += 32)
                {
                    (Vector512.Load(acc + j) ^ Vector512.Load(source + j)).Store(acc + j);
                    (Vector512.Load(acc + j + 8) ^ Vector512.Load(source + j + 8)).Store(acc + j + 8);
                    (Vector512.Load(acc + j + 16) ^ Vector512.Load(source + j + 16)).Store(acc + j + 16);
                    (Vector512.Load(acc + j + 24) ^ Vector512.Load(source + j + 24)).Store(acc + j + 24);
                }
            }
            for (var j = 0; j < BlockWords; j += 8)
            {
                var value = Vector512.Load(acc + j);
                if (output == null)
                {
                    sink |= value;
                }
                else if (nonTemporal)
                {
                    value.StoreAlignedNonTemporal(output + start + j);
                }
                else
                {
                    value.Store(output + start + j);
                }
            }
        }
        if (nonTemporal)
        {
            Sse.StoreFence();
        }
        return Tail(inputs, count, output, start, words, sink.GetLower() | sink.GetUpper());
    }

    // 128 bytes per input per step: two independent 512-bit accumulators.
    private static ulong ReadInputsWriteOne512x2(ulong** inputs, int count, ulong* output, nint words, bool nonTemporal)
    {
        var sink = Vector512<ulong>.Zero;
        nint i = 0;
        for (; i + 16 <= words; i += 16)
        {
            var source = inputs[0] + i;
            var acc0 = Vector512.Load(source);
            var acc1 = Vector512.Load(source + 8);
            for (var k = 1; k < count; k++)
            {
                source = inputs[k] + i;
                acc0 ^= Vector512.Load(source);
                acc1 ^= Vector512.Load(source + 8);
            }
            if (output == null)
            {
                sink |= acc0 | acc1;
            }
            else if (nonTemporal)
            {
                acc0.StoreAlignedNonTemporal(output + i);
                acc1.StoreAlignedNonTemporal(output + i + 8);
            }
            else
            {
                acc0.Store(output + i);
                acc1.Store(output + i + 8);
            }
        }
        if (nonTemporal)
        {
            Sse.StoreFence();
        }
        return Tail(inputs, count, output, i, words, sink.GetLower() | sink.GetUpper());
    }

    // 256 bytes per input per step: four independent 512-bit accumulators.
    private static ulong ReadInputsWriteOne512x4(ulong** inputs, int count, ulong* output, nint words, bool nonTemporal)
    {
        var sink = Vector512<ulong>.Zero;
        nint i = 0;
        for (; i + 32 <= words; i += 32)
        {
            var source = inputs[0] + i;
            var acc0 = Vector512.Load(source);
            var acc1 = Vector512.Load(source + 8);
            var acc2 = Vector512.Load(source + 16);
            var acc3 = Vector512.Load(source + 24);
            for (var k = 1; k < count; k++)
            {
                source = inputs[k] + i;
                acc0 ^= Vector512.Load(source);
                acc1 ^= Vector512.Load(source + 8);
                acc2 ^= Vector512.Load(source + 16);
                acc3 ^= Vector512.Load(source + 24);
            }
            if (output == null)
            {
                sink |= acc0 | acc1 | acc2 | acc3;
            }
            else if (nonTemporal)
            {
                acc0.StoreAlignedNonTemporal(output + i);
                acc1.StoreAlignedNonTemporal(output + i + 8);
                acc2.StoreAlignedNonTemporal(output + i + 16);
                acc3.StoreAlignedNonTemporal(output + i + 24);
            }
            else
            {
                acc0.Store(output + i);
                acc1.Store(output + i + 8);
                acc2.Store(output + i + 16);
                acc3.Store(output + i + 24);
            }
        }
        if (nonTemporal)
        {
            Sse.StoreFence();
        }
        return Tail(inputs, count, output, i, words, sink.GetLower() | sink.GetUpper());
    }

    // 512 bytes per input per step: eight independent 512-bit accumulators, the step of the kernels' lockstep loops.
    private static ulong ReadInputsWriteOne512x8(ulong** inputs, int count, ulong* output, nint words, bool nonTemporal)
    {
        var sink = Vector512<ulong>.Zero;
        nint i = 0;
        for (; i + 64 <= words; i += 64)
        {
            var source = inputs[0] + i;
            var acc0 = Vector512.Load(source);
            var acc1 = Vector512.Load(source + 8);
            var acc2 = Vector512.Load(source + 16);
            var acc3 = Vector512.Load(source + 24);
            var acc4 = Vector512.Load(source + 32);
            var acc5 = Vector512.Load(source + 40);
            var acc6 = Vector512.Load(source + 48);
            var acc7 = Vector512.Load(source + 56);
            for (var k = 1; k < count; k++)
            {
                source = inputs[k] + i;
                acc0 ^= Vector512.Load(source);
                acc1 ^= Vector512.Load(source + 8);
                acc2 ^= Vector512.Load(source + 16);
                acc3 ^= Vector512.Load(source + 24);
                acc4 ^= Vector512.Load(source + 32);
                acc5 ^= Vector512.Load(source + 40);
                acc6 ^= Vector512.Load(source + 48);
                acc7 ^= Vector512.Load(source + 56);
            }
            if (output == null)
            {
                sink |= acc0 | acc1 | acc2 | acc3 | acc4 | acc5 | acc6 | acc7;
                continue;
            }
            var target = output + i;
            Store(acc0, target, nonTemporal);
            Store(acc1, target + 8, nonTemporal);
            Store(acc2, target + 16, nonTemporal);
            Store(acc3, target + 24, nonTemporal);
            Store(acc4, target + 32, nonTemporal);
            Store(acc5, target + 40, nonTemporal);
            Store(acc6, target + 48, nonTemporal);
            Store(acc7, target + 56, nonTemporal);
        }
        if (nonTemporal)
        {
            Sse.StoreFence();
        }
        return Tail(inputs, count, output, i, words, sink.GetLower() | sink.GetUpper());
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(Vector256<ulong> value, ulong* target, bool nonTemporal)
    {
        if (nonTemporal)
        {
            value.StoreAlignedNonTemporal(target);
        }
        else
        {
            value.Store(target);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(Vector512<ulong> value, ulong* target, bool nonTemporal)
    {
        if (nonTemporal)
        {
            value.StoreAlignedNonTemporal(target);
        }
        else
        {
            value.Store(target);
        }
    }

    private static ulong ReadInputsWriteOne512(ulong** inputs, int count, ulong* output, nint words, bool nonTemporal)
    {
        var sink = Vector512<ulong>.Zero;
        nint i = 0;
        for (; i + 8 <= words; i += 8)
        {
            var acc = Vector512.Load(inputs[0] + i);
            for (var k = 1; k < count; k++)
            {
                acc ^= Vector512.Load(inputs[k] + i);
            }
            if (output == null)
            {
                sink |= acc;
            }
            else if (nonTemporal)
            {
                acc.StoreAlignedNonTemporal(output + i);
            }
            else
            {
                acc.Store(output + i);
            }
        }
        if (nonTemporal)
        {
            Sse.StoreFence();
        }
        return Tail(inputs, count, output, i, words, sink.GetLower() | sink.GetUpper());
    }

    // 256 bytes per step, eight vectors per input, so the loop over inputs costs little beside the loads;
    // then 64-byte blocks, then the tail.
    private static ulong ReadInputsWriteOne256(ulong** inputs, int count, ulong* output, nint words, bool nonTemporal)
    {
        var sink = Vector256<ulong>.Zero;
        nint i = 0;
        for (; i + 32 <= words; i += 32)
        {
            var source = inputs[0] + i;
            var acc0 = Vector256.Load(source);
            var acc1 = Vector256.Load(source + 4);
            var acc2 = Vector256.Load(source + 8);
            var acc3 = Vector256.Load(source + 12);
            var acc4 = Vector256.Load(source + 16);
            var acc5 = Vector256.Load(source + 20);
            var acc6 = Vector256.Load(source + 24);
            var acc7 = Vector256.Load(source + 28);
            for (var k = 1; k < count; k++)
            {
                source = inputs[k] + i;
                acc0 ^= Vector256.Load(source);
                acc1 ^= Vector256.Load(source + 4);
                acc2 ^= Vector256.Load(source + 8);
                acc3 ^= Vector256.Load(source + 12);
                acc4 ^= Vector256.Load(source + 16);
                acc5 ^= Vector256.Load(source + 20);
                acc6 ^= Vector256.Load(source + 24);
                acc7 ^= Vector256.Load(source + 28);
            }
            if (output == null)
            {
                sink |= acc0 | acc1 | acc2 | acc3 | acc4 | acc5 | acc6 | acc7;
            }
            else if (nonTemporal)
            {
                acc0.StoreAlignedNonTemporal(output + i);
                acc1.StoreAlignedNonTemporal(output + i + 4);
                acc2.StoreAlignedNonTemporal(output + i + 8);
                acc3.StoreAlignedNonTemporal(output + i + 12);
                acc4.StoreAlignedNonTemporal(output + i + 16);
                acc5.StoreAlignedNonTemporal(output + i + 20);
                acc6.StoreAlignedNonTemporal(output + i + 24);
                acc7.StoreAlignedNonTemporal(output + i + 28);
            }
            else
            {
                acc0.Store(output + i);
                acc1.Store(output + i + 4);
                acc2.Store(output + i + 8);
                acc3.Store(output + i + 12);
                acc4.Store(output + i + 16);
                acc5.Store(output + i + 20);
                acc6.Store(output + i + 24);
                acc7.Store(output + i + 28);
            }
        }
        for (; i + 8 <= words; i += 8)
        {
            var source = inputs[0] + i;
            var acc0 = Vector256.Load(source);
            var acc1 = Vector256.Load(source + 4);
            for (var k = 1; k < count; k++)
            {
                source = inputs[k] + i;
                acc0 ^= Vector256.Load(source);
                acc1 ^= Vector256.Load(source + 4);
            }
            if (output == null)
            {
                sink |= acc0 | acc1;
            }
            else if (nonTemporal)
            {
                acc0.StoreAlignedNonTemporal(output + i);
                acc1.StoreAlignedNonTemporal(output + i + 4);
            }
            else
            {
                acc0.Store(output + i);
                acc1.Store(output + i + 4);
            }
        }
        if (nonTemporal)
        {
            Sse.StoreFence();
        }
        return Tail(inputs, count, output, i, words, sink);
    }

    private static ulong Tail(ulong** inputs, int count, ulong* output, nint i, nint words, Vector256<ulong> sink)
    {
        var result = sink.GetElement(0) | sink.GetElement(1) | sink.GetElement(2) | sink.GetElement(3);
        for (; i < words; i++)
        {
            var acc = inputs[0][i];
            for (var k = 1; k < count; k++)
            {
                acc ^= inputs[k][i];
            }
            if (output == null)
            {
                result |= acc;
            }
            else
            {
                output[i] = acc;
            }
        }
        return result;
    }

    /// <summary>Copies <paramref name="words"/> words with the widest accelerated vectors (aligned input and output).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void Copy(ulong* source, ulong* destination, nint words)
    {
        nint i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            for (; i + 8 <= words; i += 8)
            {
                Vector512.StoreAligned(Vector512.LoadAligned(source + i), destination + i);
            }
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            for (; i + 8 <= words; i += 8)
            {
                Vector256.StoreAligned(Vector256.LoadAligned(source + i), destination + i);
                Vector256.StoreAligned(Vector256.LoadAligned(source + i + 4), destination + i + 4);
            }
        }
        for (; i < words; i++)
        {
            destination[i] = source[i];
        }
    }

    /// <summary>
    /// The model every <see cref="ReadLimitForms"/> form is checked against: the XOR of <paramref name="inputs"/>, one
    /// word at a time, into <paramref name="destination"/>; returns the OR of those words (what a form that stores
    /// nothing returns).
    /// </summary>
    public static ulong XorInputsScalar(ulong*[] inputs, ulong* destination, nint words)
    {
        ulong any = 0;
        for (nint i = 0; i < words; i++)
        {
            var acc = inputs[0][i];
            for (var k = 1; k < inputs.Length; k++)
            {
                acc ^= inputs[k][i];
            }
            destination[i] = acc;
            any |= acc;
        }
        return any;
    }

    /// <summary>The plain scalar XOR-reduce, one word at a time.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static ulong XorReduceScalar(ulong* source, nint words)
    {
        ulong acc = 0;
        for (nint i = 0; i < words; i++)
        {
            acc ^= source[i];
        }
        return acc;
    }

    private static ulong Tail(ulong* source, nint i, nint words, Vector128<ulong> acc)
    {
        var result = acc.GetElement(0) ^ acc.GetElement(1);
        for (; i < words; i++)
        {
            result ^= source[i];
        }
        return result;
    }
}
