namespace Bitfuse.Isolation.Pinning;

/// <summary>How a <see cref="PinnedThread"/> prepares itself before its work starts.</summary>
/// <param name="Cpu">The CPU the thread pins itself to.</param>
public sealed record PinnedThreadOptions(int Cpu)
{
    /// <summary>The thread's name (also its <c>comm</c> in <c>/proc</c>, cut to 15 bytes).</summary>
    public string Name { get; init; } = "bitfuse pinned";

    /// <summary>A SCHED_FIFO priority (1-99) to ask for, or null to stay SCHED_OTHER. Refused when RLIMIT_RTPRIO forbids it.</summary>
    public int? FifoPriority { get; init; }

    /// <summary>Lock every current and future page of the process (<c>mlockall</c>); refused when the memlock limit is too low.</summary>
    public bool LockMemory { get; init; }

    /// <summary>The thread's stack size in bytes.</summary>
    public int StackBytes { get; init; } = 1 << 20;

    /// <summary>How much of the stack to touch before work starts, so the first deep call does not fault.</summary>
    public int PrefaultStackBytes { get; init; } = 256 << 10;

    /// <summary>Buffers to touch page by page before work starts.</summary>
    public IReadOnlyList<Memory<byte>> PrefaultBuffers { get; init; } = [];
}
