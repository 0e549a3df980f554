using Bitfuse.Persistence;

namespace Bitfuse;

/// <summary>How a <see cref="Database"/> is opened.</summary>
public sealed record DatabaseOptions
{
    /// <summary>The default log size that starts a background checkpoint: 64 MiB.</summary>
    public const long DefaultCheckpointLogBytes = 64L << 20;

    /// <summary>Create the database when the folder holds none (default true).</summary>
    public bool CreateIfMissing { get; init; } = true;

    /// <summary>
    /// A background checkpoint starts once the log holds this many bytes (0: never; call
    /// <see cref="Database.Checkpoint"/> yourself).
    /// </summary>
    public long CheckpointLogBytes { get; init; } = DefaultCheckpointLogBytes;

    /// <summary>The file-system seam (tests inject faults through it).</summary>
    internal DatabaseIO IO { get; init; } = DatabaseIO.Real;

    /// <summary>Called at named points inside commit and checkpoint (crash tests stop the process there).</summary>
    internal Action<string>? CrashPoint { get; init; }

    internal void Validate() => ArgumentOutOfRangeException.ThrowIfNegative(CheckpointLogBytes, nameof(CheckpointLogBytes));
}
