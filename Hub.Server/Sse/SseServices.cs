using Microsoft.Extensions.Options;
using RealtimeHub.Server.Auth;
using RealtimeHub.Server.Delivery;
using RealtimeHub.Server.History;
using RealtimeHub.Server.Hubs;
using RealtimeHub.Server.Limits;
using RealtimeHub.Server.Metrics;

namespace RealtimeHub.Server.Sse;

/// <summary>What every <see cref="SseStream"/> needs from the node, gathered once.</summary>
internal sealed class SseServices(
    NodeLifetimeManager members,
    TopicReplay replay,
    IEventHistory history,
    SseHubProtocol protocol,
    SseHeartbeat heartbeat,
    HubMetrics metrics,
    IOptions<SseOptions> options,
    IOptions<LimitsOptions> limits,
    TopicAccess access,
    ConnectionQuota quota,
    IOptions<DeliveryOptions> delivery,
    SlowConsumers slowConsumers,
    IHostApplicationLifetime lifetime,
    ILoggerFactory loggerFactory,
    TimeProvider clock)
{
    /// <summary>Where a stream attaches its outbox, so the topic relays deliver to it.</summary>
    public NodeLifetimeManager Members => members;

    public TopicReplay Replay => replay;

    public IEventHistory History => history;

    public SseHubProtocol Protocol => protocol;

    public SseHeartbeat Heartbeat => heartbeat;

    public HubMetrics Metrics => metrics;

    public IOptions<SseOptions> Options => options;

    public IOptions<LimitsOptions> Limits => limits;

    public TopicAccess Access => access;

    public ConnectionQuota Quota => quota;

    public IOptions<DeliveryOptions> Delivery => delivery;

    public SlowConsumers SlowConsumers => slowConsumers;

    public IHostApplicationLifetime Lifetime => lifetime;

    public ILogger Logger { get; } = loggerFactory.CreateLogger("RealtimeHub.Server.Sse");

    public TimeProvider Clock => clock;
}
