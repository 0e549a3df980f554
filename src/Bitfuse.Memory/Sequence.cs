namespace Bitfuse.Memory;

/// <summary>
/// Comparisons of SMR sequence numbers by signed difference, so they stay right when the 64-bit counter
/// wraps (as long as the compared values are less than 2^63 apart). 0 is never a sequence: it means idle.
/// </summary>
internal static class Sequence
{
    public const long Idle = 0;

    public static bool Lt(long a, long b) => unchecked(a - b) < 0;

    public static bool Leq(long a, long b) => unchecked(a - b) <= 0;

    public static bool Gt(long a, long b) => unchecked(a - b) > 0;

    public static long Max(long a, long b) => Lt(a, b) ? b : a;
}
