using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Bitfuse.Memory;

namespace Bitfuse.Memory.Tests;

public sealed unsafe class ZoneCrossThreadTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Items_allocated_on_one_thread_can_be_freed_on_another(bool useSmr)
    {
        using var smr = new Smr();
        using var zone = new Zone(new ZoneOptions { Name = "xthread", ItemSize = 8192, Alignment = 64, Smr = useSmr ? smr : null });
        using var queue = new BlockingCollection<nint>(boundedCapacity: 64);
        const int count = 8_000;
        var producer = new Thread(() =>
        {
            for (var i = 0; i < count; i++)
            {
                var p = (long*)zone.Alloc();
                *p = i;
                queue.Add((nint)p);
            }
            queue.CompleteAdding();
        });
        var bad = 0;
        var consumer = new Thread(() =>
        {
            var expected = 0L;
            foreach (var p in queue.GetConsumingEnumerable())
            {
                if (*(long*)p != expected++)
                {
                    bad++;
                }
                zone.Free((void*)p);
            }
        });
        producer.Start();
        consumer.Start();
        producer.Join();
        consumer.Join();
        Assert.Equal(0, bad);
        var s = zone.GetStatistics();
        Assert.Equal(0, s.ItemsInUse);
        Assert.Equal(count, s.Frees);
        // Memory stays bounded: freed items flow back to the producer instead of new slabs.
        Assert.True(s.BytesFromOs < 2000L * 8192, $"bytes from OS grew to {s.BytesFromOs}");
    }

    [Fact]
    public void Metrics_report_the_zone_statistics()
    {
        using var zone = new Zone(new ZoneOptions { Name = "metrics-zone", ItemSize = 64 });
        var items = new List<nint>();
        for (var i = 0; i < 7; i++)
        {
            items.Add((nint)zone.Alloc());
        }
        var seen = new Dictionary<string, long>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == ZoneMetrics.MeterName)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "zone" && (string?)tag.Value == "metrics-zone")
                {
                    seen[instrument.Name] = value;
                }
            }
        });
        listener.Start();
        listener.RecordObservableInstruments();
        var s = zone.GetStatistics();
        Assert.Equal(7, seen["bitfuse.memory.items_in_use"]);
        Assert.Equal(s.BytesFromOs, seen["bitfuse.memory.bytes_from_os"]);
        Assert.Equal(s.Slabs, seen["bitfuse.memory.slabs"]);
        Assert.Equal(7, seen["bitfuse.memory.allocations"]);
        foreach (var p in items)
        {
            zone.Free((void*)p);
        }
    }
}
