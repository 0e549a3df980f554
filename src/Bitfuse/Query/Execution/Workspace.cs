using System.Runtime.InteropServices;
using Bitfuse.Bitmaps;
using Bitfuse.Bitmaps.MultiWay;

namespace Bitfuse.Query.Execution;

/// <summary>
/// One worker's scratch memory: an 8 KiB output bitset, an 8 KiB bitset per kernel input that needs
/// expanding (allocated on first use), the kernel's pointer table and, for streaming, room for one key's
/// values. Native, 64-byte aligned, freed on dispose.
/// </summary>
internal sealed unsafe class Workspace : IDisposable
{
    private readonly ulong*[] _expanded;

    [ThreadStatic]
    private static Workspace? t_cached;

    /// <summary>A workspace for <paramref name="inputs"/> kernel inputs: this thread's cached one when it fits, else a new one.</summary>
    public static Workspace Rent(int inputs)
    {
        var cached = t_cached;
        if (cached is not null && cached._expanded.Length >= inputs)
        {
            t_cached = null;
            cached.Visited = cached.Skipped = cached.Copied = cached.Dense = cached.Sparse = cached.Expanded = cached.BytesRead = 0;
            return cached;
        }
        return new Workspace(inputs) { Scratch = DirectScratch.Current };
    }

    /// <summary>Keeps <paramref name="workspace"/> for this thread's next query (up to 256 inputs, the larger of it and the kept one), or frees it.</summary>
    public static void Return(Workspace workspace)
    {
        // The larger of the two is kept, so a thread alternating small and wide queries stops allocating.
        var cached = t_cached;
        if (workspace._expanded.Length <= 256 && (cached is null || cached._expanded.Length < workspace._expanded.Length))
        {
            t_cached = workspace;
            cached?.Dispose();
            return;
        }
        workspace.Dispose();
    }

    private Workspace(int inputs)
    {
        _expanded = new ulong*[Math.Max(inputs, 16)];
        Output = (ulong*)NativeMemory.AlignedAlloc(8192, 64);
        Pointers = (ulong**)NativeMemory.Alloc((nuint)_expanded.Length, (nuint)sizeof(ulong*));
    }

    private Container[] _sparse = [];

    /// <summary>This thread's scratch of the multi-way combiners (a workspace is only ever used on the thread that made it).</summary>
    public DirectScratch Scratch { get; private init; } = null!;

    /// <summary>The kernel's output bitset (execution may point it at a result container for one call).</summary>
    public ulong* Output { get; set; }

    /// <summary>Room for a sparse program's intermediate results.</summary>
    public Container[] SparseResults(int steps)
    {
        if (_sparse.Length < steps)
        {
            _sparse = new Container[steps];
        }
        return _sparse;
    }

    private int[] _cursors = [];
    private int[] _heads = [];
    private bool[] _present = [];

    /// <summary>Room for one key per input (at least <paramref name="inputs"/> long, contents unspecified).</summary>
    public int[] Heads(int inputs)
    {
        if (_heads.Length < inputs)
        {
            _heads = new int[inputs];
        }
        return _heads;
    }

    /// <summary>Room for one container index per input (at least <paramref name="inputs"/> long, contents unspecified).</summary>
    public int[] Cursors(int inputs)
    {
        if (_cursors.Length < inputs)
        {
            _cursors = new int[inputs];
        }
        return _cursors;
    }

    /// <summary>Room for one presence flag per input (at least <paramref name="inputs"/> long, contents unspecified).</summary>
    public bool[] Present(int inputs)
    {
        if (_present.Length < inputs)
        {
            _present = new bool[inputs];
        }
        return _present;
    }

    /// <summary>The kernel's input pointer table.</summary>
    public ulong** Pointers { get; private set; }

    /// <summary>Room for 65,536 values (allocated on first use).</summary>
    public uint* Values { get; private set; }

    /// <summary>Counters of this worker.</summary>
    public long Visited, Skipped, Copied, Dense, Sparse, Expanded, BytesRead;

    /// <summary>A pointer to <paramref name="container"/> as a bitset: its own words, or an expansion into slot <paramref name="slot"/>.</summary>
    public ulong* AsBitset(in Container container, int slot)
    {
        if (container.Kind == ContainerKind.Bitset)
        {
            BytesRead += 8192;
            return container.Words;
        }
        var buffer = _expanded[slot];
        if (buffer == null)
        {
            buffer = (ulong*)NativeMemory.AlignedAlloc(8192, 64);
            _expanded[slot] = buffer;
        }
        container.CopyToBitset(buffer);
        Expanded++;
        BytesRead += container.SerializedBytes;
        return buffer;
    }

    /// <summary>The values buffer, allocating it on first use.</summary>
    public uint* EnsureValues()
    {
        if (Values == null)
        {
            Values = (uint*)NativeMemory.Alloc(65536, sizeof(uint));
        }
        return Values;
    }

    public void Dispose()
    {
        for (var i = 0; i < _expanded.Length; i++)
        {
            if (_expanded[i] != null)
            {
                NativeMemory.AlignedFree(_expanded[i]);
                _expanded[i] = null;
            }
        }
        if (Output != null)
        {
            NativeMemory.AlignedFree(Output);
            Output = null;
        }
        if (Pointers != null)
        {
            NativeMemory.Free(Pointers);
            Pointers = null;
        }
        if (Values != null)
        {
            NativeMemory.Free(Values);
            Values = null;
        }
    }
}
