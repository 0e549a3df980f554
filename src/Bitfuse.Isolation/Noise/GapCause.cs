using System.Text.Json.Serialization;

namespace Bitfuse.Isolation.Noise;

/// <summary>The cause given to one gap: its kind, a name that tells causes of one kind apart (<c>IRQ 36 virtio1-req.0</c>, <c>kworker/1:1 (44)</c>), and a detail (work or timer functions).</summary>
public sealed record GapCause(NoiseCauseKind Kind, string Name, string? Detail = null)
{
    /// <summary>The cause of a gap in which nothing was recorded.</summary>
    public static GapCause Unexplained { get; } = new(NoiseCauseKind.Unexplained, "unexplained");

    /// <summary>For <see cref="NoiseCauseKind.ProcessThread"/>: the thread, so the runtime's events of that thread can be matched to it.</summary>
    [JsonIgnore]
    public int? ThreadId { get; init; }
}
