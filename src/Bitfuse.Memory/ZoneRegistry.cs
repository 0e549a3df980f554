using System.Diagnostics;

namespace Bitfuse.Memory;

/// <summary>
/// The live zones of the process (weakly held), for the metrics instruments and the idle trimmer, a timer that
/// ticks once a second and lets every zone trim what has been idle for its <see cref="ZoneOptions.IdleTrimAfter"/>.
/// </summary>
internal static class ZoneRegistry
{
    private static readonly Lock Sync = new();
    private static readonly List<WeakReference<Zone>> Zones = [];
    private static Timer? s_trimmer;

    public static void Add(Zone zone)
    {
        lock (Sync)
        {
            Zones.Add(new WeakReference<Zone>(zone));
            s_trimmer ??= new Timer(_ => TickAll(), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
        }
        ZoneMetrics.EnsureCreated();
    }

    public static void Remove(Zone zone)
    {
        lock (Sync)
        {
            Zones.RemoveAll(w => !w.TryGetTarget(out var z) || z == zone);
        }
    }

    /// <summary>The zones still alive.</summary>
    public static List<Zone> Snapshot()
    {
        var live = new List<Zone>();
        lock (Sync)
        {
            Zones.RemoveAll(w => !w.TryGetTarget(out _));
            foreach (var w in Zones)
            {
                if (w.TryGetTarget(out var z))
                {
                    live.Add(z);
                }
            }
        }
        return live;
    }

    private static void TickAll()
    {
        var now = Stopwatch.GetTimestamp();
        foreach (var zone in Snapshot())
        {
            try
            {
                zone.IdleTick(now);
            }
            catch (ObjectDisposedException)
            {
                // Disposed between the snapshot and the tick.
            }
        }
    }
}
