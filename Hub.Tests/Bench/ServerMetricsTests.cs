using RealtimeHub.Bench.Load;

namespace RealtimeHub.Tests.Bench;

/// <summary>The hub's slow-consumer closes are read by transport from /metrics, and are absent when the hub does not export them.</summary>
public sealed class ServerMetricsTests
{
    private const string Base = """
        # TYPE realtimehub_events_accepted_total counter
        realtimehub_events_accepted_total{family="merchant"} 10
        realtimehub_deliveries_total{transport="sse",kind="live"} 7
        """;

    [Fact]
    public void Without_the_series_slow_consumer_closes_are_not_reported()
    {
        var metrics = ServerMetrics.Parse(Base);

        Assert.Equal(10, metrics.EventsAccepted);
        Assert.Null(metrics.SlowConsumersClosed);
        Assert.Null(ServerMetrics.Add([metrics, metrics])!.SlowConsumersClosed);
    }

    [Fact]
    public void Slow_consumer_closes_are_read_by_transport_and_added_over_nodes()
    {
        var first = ServerMetrics.Parse(Base + """

            realtimehub_slow_consumers_closed_total{transport="sse"} 2
            realtimehub_slow_consumers_closed_total{transport="websocket"} 3
            """);
        var second = ServerMetrics.Parse(Base + """

            realtimehub_slow_consumers_closed_total{transport="websocket"} 1
            """);

        var sum = ServerMetrics.Add([first, second])!;

        Assert.Equal(new Dictionary<string, double> { ["sse"] = 2, ["websocket"] = 3 }, first.SlowConsumersClosed);
        Assert.Equal(new Dictionary<string, double> { ["sse"] = 2, ["websocket"] = 4 }, sum.SlowConsumersClosed);
        Assert.Equal(14, sum.SseLiveDeliveries);
    }
}
