using System.Diagnostics.Metrics;

namespace Bitfuse.Memory;

/// <summary>
/// <see cref="System.Diagnostics.Metrics"/> instruments over every live zone, tagged with the zone name, on the meter
/// <c>Bitfuse.Memory</c>: items in use, cached and deferred, deferred bytes, slabs, bytes from the OS, and the
/// allocation and free counts. Values are read from <see cref="Zone.GetStatistics"/> when a listener collects.
/// </summary>
public static class ZoneMetrics
{
    /// <summary>The meter name to listen to.</summary>
    public const string MeterName = "Bitfuse.Memory";

    private static readonly Lock Sync = new();
    private static Meter? s_meter;

    internal static void EnsureCreated()
    {
        if (Volatile.Read(ref s_meter) is not null)
        {
            return;
        }
        lock (Sync)
        {
            if (s_meter is not null)
            {
                return;
            }
            var meter = new Meter(MeterName);
            meter.CreateObservableGauge("bitfuse.memory.items_in_use", () => Observe(s => s.ItemsInUse), "{item}", "Items handed out and not yet freed");
            meter.CreateObservableGauge("bitfuse.memory.items_cached", () => Observe(s => s.ItemsCached), "{item}", "Free items ready for reuse");
            meter.CreateObservableGauge("bitfuse.memory.items_deferred", () => Observe(s => s.ItemsDeferred), "{item}", "Freed items waiting for readers");
            meter.CreateObservableGauge("bitfuse.memory.deferred_bytes", () => Observe(s => s.DeferredBytes), "By", "Bytes of freed items waiting for readers");
            meter.CreateObservableGauge("bitfuse.memory.slabs", () => Observe(s => s.Slabs), "{slab}", "Slabs held");
            meter.CreateObservableGauge("bitfuse.memory.bytes_from_os", () => Observe(s => s.BytesFromOs), "By", "Bytes taken from the OS and not returned");
            meter.CreateObservableCounter("bitfuse.memory.allocations", () => Observe(s => s.Allocations), "{item}", "Allocations since the zone was created");
            meter.CreateObservableCounter("bitfuse.memory.frees", () => Observe(s => s.Frees), "{item}", "Frees since the zone was created");
            Volatile.Write(ref s_meter, meter);
        }
    }

    private static List<Measurement<long>> Observe(Func<ZoneStatistics, long> value)
    {
        var zones = ZoneRegistry.Snapshot();
        var measurements = new List<Measurement<long>>(zones.Count);
        foreach (var zone in zones)
        {
            var statistics = zone.GetStatistics();
            measurements.Add(new Measurement<long>(value(statistics), new KeyValuePair<string, object?>("zone", statistics.Name)));
        }
        return measurements;
    }
}
