namespace Bitfuse.Isolation.Noise;

/// <summary>What interrupted a pinned thread.</summary>
public enum NoiseCauseKind
{
    /// <summary>A device interrupt's handler (<c>irq_handler_entry/exit</c>).</summary>
    Irq,

    /// <summary>A softirq (TIMER, RCU, NET_RX, SCHED ...).</summary>
    Softirq,

    /// <summary>The local APIC timer: the scheduler tick and hrtimers.</summary>
    LocalTimer,

    /// <summary>Another interrupt vector: a reschedule or function-call IPI, irq_work, APIC errors.</summary>
    Ipi,

    /// <summary>Another task (a kernel thread or another process) ran on the CPU.</summary>
    Task,

    /// <summary>Another thread of this process ran on the CPU.</summary>
    ProcessThread,

    /// <summary>The runtime suspended every managed thread for a garbage collection.</summary>
    Gc,

    /// <summary>The runtime suspended every managed thread for something other than a GC.</summary>
    RuntimeSuspension,

    /// <summary>The JIT: the tiered-compilation worker, or a thread of this process compiling, took the CPU.</summary>
    Jit,

    /// <summary>A thread-pool worker of this process took the CPU (thread injection).</summary>
    ThreadPool,

    /// <summary>The measuring thread took a page fault.</summary>
    PageFault,

    /// <summary>The measuring thread blocked (waited) and the CPU went idle.</summary>
    Blocked,

    /// <summary>No recorded event inside the gap (on a VM: usually the hypervisor).</summary>
    Unexplained,
}
