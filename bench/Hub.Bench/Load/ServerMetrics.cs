using System.Globalization;

namespace RealtimeHub.Bench.Load;

/// <summary>A few of the hub's own figures from its <c>/metrics</c>, to set beside what the clients counted.</summary>
/// <param name="EventsAccepted">realtimehub_events_accepted_total, all families.</param>
/// <param name="SseLiveDeliveries">realtimehub_deliveries_total{transport="sse",kind="live"}.</param>
/// <param name="SseReplayDeliveries">realtimehub_deliveries_total{transport="sse",kind="replay"}.</param>
/// <param name="SseLatencyCount">Samples in realtimehub_delivery_latency_seconds.</param>
/// <param name="SseLatencySumSeconds">Their sum, in seconds.</param>
/// <param name="SlowConsumersClosed">
/// realtimehub_slow_consumers_closed_total by <c>transport</c>; null when the hub does not export the series.
/// </param>
/// <param name="Gaps">realtimehub_gaps_total by <c>outcome</c> (filled from history, lost); null when not exported.</param>
internal sealed record ServerMetrics(
    double EventsAccepted, double SseLiveDeliveries, double SseReplayDeliveries, double SseLatencyCount, double SseLatencySumSeconds,
    IReadOnlyDictionary<string, double>? SlowConsumersClosed = null, IReadOnlyDictionary<string, double>? Gaps = null)
{
    private const string SlowConsumersClosedName = "realtimehub_slow_consumers_closed_total";

    /// <summary>Scrapes <paramref name="node"/>'s /metrics; null when it does not answer.</summary>
    public static async Task<ServerMetrics?> ScrapeAsync(HttpClient http, Uri node, CancellationToken cancellationToken)
    {
        try
        {
            return Parse(await http.GetStringAsync(new Uri(node, "/metrics"), cancellationToken));
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }

    /// <summary>The figures in one node's Prometheus text.</summary>
    public static ServerMetrics Parse(string text) => new(
        Sum(text, "realtimehub_events_accepted_total"),
        Sum(text, "realtimehub_deliveries_total", "kind=\"live\""),
        Sum(text, "realtimehub_deliveries_total", "kind=\"replay\""),
        Sum(text, "realtimehub_delivery_latency_seconds_count"),
        Sum(text, "realtimehub_delivery_latency_seconds_sum"),
        ByLabel(text, SlowConsumersClosedName, "transport"),
        ByLabel(text, "realtimehub_gaps_total", "outcome"));

    /// <summary>Adds the figures of several nodes.</summary>
    public static ServerMetrics? Add(IEnumerable<ServerMetrics?> nodes) =>
        nodes.Aggregate((ServerMetrics?)new ServerMetrics(0, 0, 0, 0, 0), (sum, node) => sum is null || node is null ? null : new ServerMetrics(
            sum.EventsAccepted + node.EventsAccepted,
            sum.SseLiveDeliveries + node.SseLiveDeliveries,
            sum.SseReplayDeliveries + node.SseReplayDeliveries,
            sum.SseLatencyCount + node.SseLatencyCount,
            sum.SseLatencySumSeconds + node.SseLatencySumSeconds,
            Add(sum.SlowConsumersClosed, node.SlowConsumersClosed),
            Add(sum.Gaps, node.Gaps)));

    private static IReadOnlyDictionary<string, double>? Add(IReadOnlyDictionary<string, double>? a, IReadOnlyDictionary<string, double>? b) =>
        a is null ? b : b is null ? a : a.Concat(b).GroupBy(p => p.Key).ToDictionary(g => g.Key, g => g.Sum(p => p.Value));

    private static double Sum(string text, string name, string? label = null) =>
        Samples(text, name).Where(line => label is null || line.Contains(label, StringComparison.Ordinal)).Sum(Value);

    /// <summary>The series' values summed by the value of <paramref name="label"/>; null when the series is absent.</summary>
    private static Dictionary<string, double>? ByLabel(string text, string name, string label)
    {
        var samples = Samples(text, name).ToList();
        return samples.Count == 0 ? null : samples
            .GroupBy(line => LabelValue(line, label) ?? "")
            .ToDictionary(g => g.Key, g => g.Sum(Value));
    }

    private static IEnumerable<string> Samples(string text, string name) =>
        text.Split('\n').Where(line => line.StartsWith(name + "{", StringComparison.Ordinal) || line.StartsWith(name + " ", StringComparison.Ordinal));

    private static double Value(string line) => double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture);

    private static string? LabelValue(string line, string label)
    {
        var key = label + "=\"";
        var start = line.IndexOf(key, StringComparison.Ordinal);
        if (start < 0)
        {
            return null;
        }

        start += key.Length;
        return line[start..line.IndexOf('"', start)];
    }
}
