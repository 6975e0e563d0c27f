using System.Globalization;

namespace RealtimeHub.Bench.Load;

/// <summary>A few of the hub's own figures from its <c>/metrics</c>, to set beside what the clients counted.</summary>
/// <param name="EventsAccepted">realtimehub_events_accepted_total, all families.</param>
/// <param name="SseLiveDeliveries">realtimehub_deliveries_total{transport="sse",kind="live"}.</param>
/// <param name="SseReplayDeliveries">realtimehub_deliveries_total{transport="sse",kind="replay"}.</param>
/// <param name="SseLatencyCount">Samples in realtimehub_delivery_latency_seconds.</param>
/// <param name="SseLatencySumSeconds">Their sum, in seconds.</param>
internal sealed record ServerMetrics(double EventsAccepted, double SseLiveDeliveries, double SseReplayDeliveries, double SseLatencyCount, double SseLatencySumSeconds)
{
    /// <summary>Scrapes <paramref name="node"/>'s /metrics; null when it does not answer.</summary>
    public static async Task<ServerMetrics?> ScrapeAsync(HttpClient http, Uri node, CancellationToken cancellationToken)
    {
        try
        {
            var text = await http.GetStringAsync(new Uri(node, "/metrics"), cancellationToken);
            return new ServerMetrics(
                Sum(text, "realtimehub_events_accepted_total"),
                Sum(text, "realtimehub_deliveries_total", "kind=\"live\""),
                Sum(text, "realtimehub_deliveries_total", "kind=\"replay\""),
                Sum(text, "realtimehub_delivery_latency_seconds_count"),
                Sum(text, "realtimehub_delivery_latency_seconds_sum"));
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }

    /// <summary>Adds the figures of several nodes.</summary>
    public static ServerMetrics? Add(IEnumerable<ServerMetrics?> nodes) =>
        nodes.Aggregate((ServerMetrics?)new ServerMetrics(0, 0, 0, 0, 0), (sum, node) => sum is null || node is null ? null : new ServerMetrics(
            sum.EventsAccepted + node.EventsAccepted,
            sum.SseLiveDeliveries + node.SseLiveDeliveries,
            sum.SseReplayDeliveries + node.SseReplayDeliveries,
            sum.SseLatencyCount + node.SseLatencyCount,
            sum.SseLatencySumSeconds + node.SseLatencySumSeconds));

    private static double Sum(string text, string name, string? label = null) =>
        text.Split('\n')
            .Where(line => (line.StartsWith(name + "{", StringComparison.Ordinal) || line.StartsWith(name + " ", StringComparison.Ordinal))
                && (label is null || line.Contains(label, StringComparison.Ordinal)))
            .Sum(line => double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture));
}
