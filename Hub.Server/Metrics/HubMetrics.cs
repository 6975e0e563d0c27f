using System.Diagnostics.Metrics;
using RealtimeHub.Contracts.Topics;
using RealtimeHub.Server.Bridge;
using RealtimeHub.Server.Delivery;

namespace RealtimeHub.Server.Metrics;

/// <summary>
/// The hub's own instruments (meter <c>RealtimeHub</c>), created per host through <see cref="IMeterFactory"/>.
/// What each one counts, and what it cannot see, is in docs/metrics.md.
/// </summary>
internal sealed class HubMetrics
{
    /// <summary>The meter name, for exporters and listeners.</summary>
    public const string MeterName = "RealtimeHub";

    // Publish-to-deliver on one node is sub-millisecond to a few milliseconds; a stalled reader shows at the top.
    private static readonly double[] LatencyBuckets =
        [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10];

    private static readonly KeyValuePair<string, object?> SseTransport = new("transport", ConnectionTransport.ServerSentEvents);
    private static readonly KeyValuePair<string, object?> LiveKind = new("kind", "live");
    private static readonly KeyValuePair<string, object?> ReplayKind = new("kind", "replay");
    private static readonly KeyValuePair<string, object?> FilledGap = new("outcome", "filled");
    private static readonly KeyValuePair<string, object?> LostGap = new("outcome", "lost");

    private readonly Counter<long> _eventsAccepted;
    private readonly Counter<long> _replaysServed;
    private readonly UpDownCounter<long> _connections;
    private readonly Counter<long> _bridgeRejected;
    private readonly Counter<long> _deliveries;
    private readonly Histogram<double> _deliveryLatency;
    private readonly Counter<long> _slowConsumersClosed;
    private readonly Counter<long> _gaps;

    public HubMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        _eventsAccepted = meter.CreateCounter<long>("realtimehub.events.accepted", "{event}", "Events stored and handed to the backplane.");
        _replaysServed = meter.CreateCounter<long>("realtimehub.replays.served", "{replay}", "Resumes answered from history.");
        _connections = meter.CreateUpDownCounter<long>("realtimehub.connections", "{connection}", "Open connections by transport.");
        _bridgeRejected = meter.CreateCounter<long>("realtimehub.bridge.rejected", "{message}", "Messages on the products' Redis channels the bridge refused, by reason.");
        _deliveries = meter.CreateCounter<long>(
            "realtimehub.deliveries", "{delivery}", "Events written to an SSE connection, live or replayed (SignalR transports are not observable per connection).");
        _deliveryLatency = meter.CreateHistogram<double>(
            "realtimehub.delivery.latency", "s", "From the event's acceptance (its envelope timestamp) to its live write to an SSE connection.",
            tags: null, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = LatencyBuckets });
        _slowConsumersClosed = meter.CreateCounter<long>(
            "realtimehub.slow_consumers.closed", "{connection}", "Connections cut off because more than Delivery:MaxBufferedBytes waited for them, by transport.");
        _gaps = meter.CreateCounter<long>(
            "realtimehub.gaps", "{gap}", "Gaps in a topic's sequence this node closed from the history (outcome filled) or announced as trimmed (outcome lost).");
    }

    public void EventAccepted(TopicFamily family) => _eventsAccepted.Add(1, new KeyValuePair<string, object?>("family", Label(family)));

    public void ReplayServed(string route) => _replaysServed.Add(1, new KeyValuePair<string, object?>("route", route));

    public void ConnectionOpened(string transport) => _connections.Add(1, new KeyValuePair<string, object?>("transport", transport));

    public void ConnectionClosed(string transport) => _connections.Add(-1, new KeyValuePair<string, object?>("transport", transport));

    /// <summary>Counts a gap the history filled (<paramref name="filled"/>) or could no longer fill.</summary>
    public void GapClosed(bool filled) => _gaps.Add(1, filled ? FilledGap : LostGap);

    public void SlowConsumerClosed(string transport) => _slowConsumersClosed.Add(1, new KeyValuePair<string, object?>("transport", transport));

    public void BridgeRejected(string reason) => _bridgeRejected.Add(1, new KeyValuePair<string, object?>("reason", reason));

    /// <summary>Counts <paramref name="count"/> events written to SSE connections.</summary>
    public void SseDelivered(int count, bool replay) => _deliveries.Add(count, SseTransport, replay ? ReplayKind : LiveKind);

    /// <summary>Records one live SSE delivery's publish-to-deliver latency.</summary>
    public void SseDeliveryLatency(TimeSpan latency) => _deliveryLatency.Record(Math.Max(0, latency.TotalSeconds), SseTransport);

    /// <summary>Records zero for every tag value the hub knows, so scrapers see each series before its first event.</summary>
    public void PublishZeroSeries()
    {
        foreach (var transport in ConnectionTransport.All)
        {
            _connections.Add(0, new KeyValuePair<string, object?>("transport", transport));
            _slowConsumersClosed.Add(0, new KeyValuePair<string, object?>("transport", transport));
        }

        foreach (var family in Enum.GetValues<TopicFamily>())
        {
            _eventsAccepted.Add(0, new KeyValuePair<string, object?>("family", Label(family)));
        }

        foreach (var route in (string[])["hub", "sse", "merchant", "enrichment", "batch"])
        {
            _replaysServed.Add(0, new KeyValuePair<string, object?>("route", route));
        }

        foreach (var rejection in Enum.GetValues<BridgeRejection>())
        {
            _bridgeRejected.Add(0, new KeyValuePair<string, object?>("reason", rejection.Tag()));
        }

        _gaps.Add(0, FilledGap);
        _gaps.Add(0, LostGap);
        _deliveries.Add(0, SseTransport, LiveKind);
        _deliveries.Add(0, SseTransport, ReplayKind);
    }

    /// <summary>The family as topics spell it (<c>merchant</c>, <c>bom</c>, <c>batch</c>).</summary>
    private static string Label(TopicFamily family) => family.ToString().ToLowerInvariant();
}
