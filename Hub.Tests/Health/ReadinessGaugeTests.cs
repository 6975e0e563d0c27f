using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using RealtimeHub.Server.Metrics;
using RealtimeHub.Tests.Infrastructure;

namespace RealtimeHub.Tests.Health;

/// <summary>
/// <c>realtimehub_ready</c> follows the node's readiness checks: 1 while Redis answers, 0 while it is
/// down, 1 again once it is back. Read from the node's own meter, as a scrape would observe it.
/// </summary>
public sealed class ReadinessGaugeTests
{
    [Fact]
    public async Task The_readiness_gauge_drops_to_zero_while_redis_is_down_and_returns_to_one()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var node = await HubNode.StartAsync(redis.ConnectionString);
        using var gauge = new ReadinessReading(node);

        await Eventually.HoldsAsync(() => gauge.Read() == 1, "the node reports ready");
        await redis.StopAsync();
        await Eventually.HoldsAsync(() => gauge.Read() == 0, "the node reports not ready while Redis is down");
        await redis.StartAgainAsync();
        await Eventually.HoldsAsync(() => gauge.Read() == 1, "the node reports ready again once Redis is back");
    }

    /// <summary>Observes this node's <c>realtimehub.ready</c> gauge on demand.</summary>
    private sealed class ReadinessReading : IDisposable
    {
        private readonly MeterListener _listener;
        private int? _last;

        public ReadinessReading(HubNode node)
        {
            var scope = node.Services.GetRequiredService<IMeterFactory>();
            _listener = new MeterListener
            {
                InstrumentPublished = (instrument, listener) =>
                {
                    if (instrument.Meter.Scope == scope && instrument.Meter.Name == HubMetrics.MeterName && instrument.Name == "realtimehub.ready")
                    {
                        listener.EnableMeasurementEvents(instrument);
                    }
                },
            };
            _listener.SetMeasurementEventCallback<int>((_, value, _, _) => _last = value);
            _listener.Start();
        }

        public int? Read()
        {
            _listener.RecordObservableInstruments();
            return _last;
        }

        public void Dispose() => _listener.Dispose();
    }
}
