using Microsoft.Extensions.Options;
using RealtimeHub.Server.History;
using RealtimeHub.Server.Metrics;

namespace RealtimeHub.Server.Delivery;

/// <summary>What every <see cref="TopicRelay"/> needs from the node, gathered once.</summary>
internal sealed class RelayServices(IEventHistory history, HubMetrics metrics, IOptions<DeliveryOptions> options, TimeProvider clock, ILoggerFactory loggerFactory)
{
    public IEventHistory History => history;

    public HubMetrics Metrics => metrics;

    public TimeSpan GapWait => options.Value.GapWait;

    public TimeProvider Clock => clock;

    public ILoggerFactory LoggerFactory => loggerFactory;

    public ILogger Logger { get; } = loggerFactory.CreateLogger<TopicRelay>();
}
