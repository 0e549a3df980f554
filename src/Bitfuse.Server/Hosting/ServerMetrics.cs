using System.Diagnostics.Metrics;

namespace Bitfuse.Server.Hosting;

/// <summary>
/// The server's instruments on the meter <c>Bitfuse.Server</c>: query latency (a histogram in seconds, by mode and
/// outcome), commits and their operations, bytes received in bodies, and the database's own figures (names,
/// file and container bytes, commits, log syncs, checkpoints) read from <see cref="Database.Statistics"/> when a
/// listener collects. Zone and SMR figures come from Bitfuse.Memory's own meter, exported beside this one.
/// </summary>
internal sealed class ServerMetrics : IDisposable
{
    /// <summary>The meter name.</summary>
    public const string MeterName = "Bitfuse.Server";

    // Bucket bounds from 25 µs to 10 s: the latency of a count query spans these.
    private static readonly double[] LatencyBuckets =
        [0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    private readonly Meter _meter = new(MeterName);
    private readonly Histogram<double> _queryDuration;
    private readonly Counter<long> _commits;
    private readonly Counter<long> _commitOperations;
    private readonly Counter<long> _bytesReceived;
    private long _queries;

    public ServerMetrics(Func<DatabaseStatistics?> statistics)
    {
        _queryDuration = _meter.CreateHistogram("bitfuse.server.query.duration", "s", "Time from a query's arrival to its answer",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = LatencyBuckets });
        _commits = _meter.CreateCounter<long>("bitfuse.server.commits", "{commit}", "Commits acknowledged (durable)");
        _commitOperations = _meter.CreateCounter<long>("bitfuse.server.commit.operations", "{operation}", "Operations in acknowledged commits");
        _bytesReceived = _meter.CreateCounter<long>("bitfuse.server.received", "By", "Body bytes read from requests, by endpoint");
        _meter.CreateObservableGauge("bitfuse.database.names", () => statistics()?.Names ?? 0, "{name}", "Names in the current version");
        _meter.CreateObservableGauge("bitfuse.database.data_file", () => statistics()?.DataFileBytes ?? 0, "By", "Bytes of the data file");
        _meter.CreateObservableGauge("bitfuse.database.log", () => statistics()?.LogBytes ?? 0, "By", "Bytes of the current log file");
        _meter.CreateObservableGauge("bitfuse.database.live_containers", () => statistics()?.LiveContainerBytes ?? 0, "By", "Bytes of containers the current version holds in memory");
        _meter.CreateObservableGauge("bitfuse.database.retained_containers", () => statistics()?.RetainedContainerBytes ?? 0, "By", "Bytes of replaced containers kept for older snapshots");
        _meter.CreateObservableGauge("bitfuse.database.live_versions", () => statistics()?.LiveVersions ?? 0, "{version}", "Versions still referenced");
        _meter.CreateObservableCounter("bitfuse.database.commits", () => statistics()?.Commits ?? 0, "{commit}", "Commits acknowledged since open");
        _meter.CreateObservableCounter("bitfuse.database.log_syncs", () => statistics()?.LogSyncs ?? 0, "{sync}", "Log syncs since open (group commit shares them)");
        _meter.CreateObservableCounter("bitfuse.database.checkpoints", () => statistics()?.Checkpoints ?? 0, "{checkpoint}", "Checkpoints since open");
    }

    /// <summary>Queries answered since start (any outcome).</summary>
    public long Queries => Interlocked.Read(ref _queries);

    public void Query(string mode, string outcome, TimeSpan elapsed)
    {
        Interlocked.Increment(ref _queries);
        _queryDuration.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("mode", mode), new KeyValuePair<string, object?>("outcome", outcome));
    }

    public void Committed(int operations)
    {
        _commits.Add(1);
        _commitOperations.Add(operations);
    }

    public void Received(string endpoint, long bytes) =>
        _bytesReceived.Add(bytes, new KeyValuePair<string, object?>("endpoint", endpoint));

    public void Dispose() => _meter.Dispose();
}
