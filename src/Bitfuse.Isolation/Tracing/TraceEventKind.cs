namespace Bitfuse.Isolation.Tracing;

/// <summary>The tracepoints the noise attribution reads.</summary>
public enum TraceEventKind
{
    /// <summary><c>irq:irq_handler_entry</c>: a device interrupt's handler starts (<see cref="TraceEvent.Number"/> = IRQ, <see cref="TraceEvent.Name"/> = its name).</summary>
    IrqEntry,

    /// <summary><c>irq:irq_handler_exit</c>.</summary>
    IrqExit,

    /// <summary><c>irq:softirq_entry</c> (<see cref="TraceEvent.Number"/> = vector, <see cref="TraceEvent.Name"/> = TIMER, RCU, NET_RX ...).</summary>
    SoftirqEntry,

    /// <summary><c>irq:softirq_exit</c>.</summary>
    SoftirqExit,

    /// <summary><c>irq_vectors:*_entry</c> (<see cref="TraceEvent.Name"/> = local_timer, reschedule, call_function ...).</summary>
    VectorEntry,

    /// <summary><c>irq_vectors:*_exit</c>.</summary>
    VectorExit,

    /// <summary><c>sched:sched_switch</c>: <see cref="TraceEvent.Pid"/> leaves (in <see cref="TraceEvent.PrevState"/>), <see cref="TraceEvent.NextPid"/> (<see cref="TraceEvent.Name"/>) runs.</summary>
    SchedSwitch,

    /// <summary><c>workqueue:workqueue_execute_start</c> (<see cref="TraceEvent.Name"/> = the work function).</summary>
    WorkqueueStart,

    /// <summary><c>timer:hrtimer_expire_entry</c> (<see cref="TraceEvent.Name"/> = the timer function).</summary>
    HrtimerExpire,

    /// <summary><c>exceptions:page_fault_user</c>.</summary>
    PageFault,
}
