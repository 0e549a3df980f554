namespace Bitfuse.Isolation.Audit;

/// <summary>What one check found, before the audit names it with the check's id and title.</summary>
public sealed record Finding(Verdict Verdict, string Reason, string? Hint = null, int? Cpu = null)
{
    /// <summary>An ok finding.</summary>
    public static Finding Ok(string reason, int? cpu = null) => new(Verdict.Ok, reason, null, cpu);

    /// <summary>A warning with a hint.</summary>
    public static Finding Warn(string reason, string? hint, int? cpu = null) => new(Verdict.Warn, reason, hint, cpu);

    /// <summary>A failure with a hint.</summary>
    public static Finding Fail(string reason, string? hint, int? cpu = null) => new(Verdict.Fail, reason, hint, cpu);

    /// <summary>The machine does not show what the check needs.</summary>
    public static Finding CannotVerify(string reason, int? cpu = null) => new(Verdict.CannotVerify, reason, null, cpu);
}
